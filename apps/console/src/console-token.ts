import { readFileSync } from "node:fs";
import type { ConfigCheck } from "@deletion/cli-kit";

/** The shortest console token accepted: `openssl rand -hex 32` gives 64 characters. */
export const CONSOLE_TOKEN_MIN_LENGTH = 32;
const PLACEHOLDERS = /replace-?me|change-?me|changeit|placeholder|secret|password|^(x+|0+)$/i;
const NAME = "--token-file / CONSOLE_TOKEN_FILE";

/** Why a token is too weak to guard the console, or undefined; never quotes the token. */
export function consoleTokenProblem(token: string): string | undefined {
  if (token === "") return "is empty";
  if (/\s/.test(token)) return "contains white space";
  if (!/^[\x21-\x7e]+$/.test(token)) return "must be printable ASCII (openssl rand -hex 32 makes one)";
  if (PLACEHOLDERS.test(token)) return "is a placeholder, not a secret (openssl rand -hex 32 makes one)";
  if (token.length < CONSOLE_TOKEN_MIN_LENGTH)
    return `is ${token.length} characters; at least ${CONSOLE_TOKEN_MIN_LENGTH} are needed (openssl rand -hex 32 makes one)`;
  return undefined;
}

function read(file: string): { token?: string; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    return { problem: `${NAME}: cannot read it (${error instanceof Error ? error.message : String(error)})` };
  }
  const problem = consoleTokenProblem(text);
  return problem ? { problem: `${NAME}: the token in the file ${problem}` } : { token: text };
}

/** The token file exists and holds a strong token. */
export const consoleTokenCheck: ConfigCheck<{ tokenFile: string }> = {
  problems: (config) => {
    const { problem } = read(config.tokenFile);
    return problem ? [problem] : [];
  },
};

/** The token of a configuration that passed consoleTokenCheck (the file read again). */
export function consoleTokenOf(config: { tokenFile: string }): string {
  const { token, problem } = read(config.tokenFile);
  if (token === undefined) throw new Error(problem);
  return token;
}
