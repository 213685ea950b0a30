import { readFileSync } from "node:fs";
import { type ConfigCheck, type ConfigOf, option, optionName } from "@deletion/cli-kit";
import { z } from "zod";

/** The shortest status token accepted: `openssl rand -hex 32` gives 64 characters. */
export const STATUS_TOKEN_MIN_LENGTH = 32;
const PLACEHOLDERS = /replace-?me|change-?me|changeit|placeholder|secret|password|^(x+|0+)$/i;

/** Why a token is too weak to guard /status, or undefined; never quotes the token. */
export function statusTokenProblem(token: string): string | undefined {
  if (token === "") return "is empty";
  if (/\s/.test(token)) return "contains white space";
  if (!/^[\x21-\x7e]+$/.test(token)) return "must be printable ASCII (openssl rand -hex 32 makes one)";
  if (PLACEHOLDERS.test(token)) return "is a placeholder, not a secret (openssl rand -hex 32 makes one)";
  if (token.length < STATUS_TOKEN_MIN_LENGTH)
    return `is ${token.length} characters; at least ${STATUS_TOKEN_MIN_LENGTH} are needed (openssl rand -hex 32 makes one)`;
  return undefined;
}

const StatusTokenSchema = z.string().superRefine((token, ctx) => {
  const problem = statusTokenProblem(token);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * The bearer token GET /status/<recordId> of the worker's HTTP server requires. Unset: /status
 * is off; /healthz, /readyz and /metrics are open either way.
 */
export const statusTokenOptions = {
  statusToken: option({
    flag: "status-token",
    env: "STATUS_TOKEN",
    description:
      "bearer token GET /status/<recordId> requires (at least 32 characters); unset with its file: /status is off (prefer the file: a flag shows in the process list)",
    secret: true,
    schema: StatusTokenSchema.optional(),
  }),
  statusTokenFile: option({
    flag: "status-token-file",
    env: "STATUS_TOKEN_FILE",
    description: "a file holding that token (instead of STATUS_TOKEN); read at start",
    schema: z.string().min(1).optional(),
  }),
};

type StatusTokenConfig = ConfigOf<typeof statusTokenOptions>;

function resolve(config: StatusTokenConfig): { token?: string; problems: string[] } {
  const { statusToken: value, statusTokenFile: file } = statusTokenOptions;
  if (config.statusToken !== undefined && config.statusTokenFile !== undefined)
    return {
      problems: [`${optionName(value)} and ${optionName(file)} are both set: give the token one way`],
    };
  if (config.statusTokenFile === undefined) return { token: config.statusToken, problems: [] };
  let text: string;
  try {
    text = readFileSync(config.statusTokenFile, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problems: [`${optionName(file)}: cannot read it (${reason})`] };
  }
  const problem = statusTokenProblem(text);
  if (problem) return { problems: [`${optionName(file)}: the token in the file ${problem}`] };
  return { token: text, problems: [] };
}

export const statusTokenCheck: ConfigCheck<StatusTokenConfig> = {
  problems: (config) => resolve(config).problems,
};

/** The token of a configuration that passed statusTokenCheck (the file read again), if any. */
export const statusTokenOf = (config: StatusTokenConfig): string | undefined => resolve(config).token;
