/**
 * Finds the `docker compose ...` commands a Markdown document tells people to type (in fenced code
 * blocks, including ones nested in `$(...)`) and the compose services each one names.
 */

export interface ComposeCommand {
  /** The command as written, from "docker compose" to the end of that shell command. */
  text: string;
  subcommand?: string;
  services: string[];
}

/** Lines inside fenced code blocks (``` or ~~~, possibly indented), continuations joined. */
export function codeBlockLines(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  let pending = "";
  for (const raw of markdown.split(/\r?\n/)) {
    const trimmed = raw.trim();
    const opener = /^(`{3,}|~{3,})/.exec(trimmed)?.[1];
    if (fence === undefined) {
      if (opener) fence = opener;
      continue;
    }
    if (opener && opener[0] === fence[0] && opener.length >= fence.length && trimmed === opener) {
      fence = undefined;
      continue;
    }
    if (trimmed.endsWith("\\")) {
      pending += `${trimmed.slice(0, -1).trimEnd()} `;
      continue;
    }
    lines.push((pending + trimmed).replace(/^\$\s+/, ""));
    pending = "";
  }
  return lines;
}

/** Shell words (quotes respected) up to the end of the first command: | ; & ) ` or a comment. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if ("|;&)`".includes(c) || (c === "#" && !inWord)) break;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

/** Options of `docker compose` itself that take a value. */
const GLOBAL_VALUE_OPTIONS = new Set([
  "-f",
  "--file",
  "-p",
  "--project-name",
  "--profile",
  "--env-file",
  "--project-directory",
  "--ansi",
  "--progress",
  "--parallel",
]);

/** Per subcommand: options that take a value (so the value is not mistaken for a service). */
const VALUE_OPTIONS: Record<string, string[]> = {
  up: [
    "-t",
    "--timeout",
    "--scale",
    "--exit-code-from",
    "--attach",
    "--no-attach",
    "--pull",
    "--wait-timeout",
  ],
  create: ["--scale", "--pull"],
  run: [
    "-e",
    "--env",
    "--env-from-file",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--entrypoint",
    "--name",
    "-l",
    "--label",
    "-v",
    "--volume",
    "-p",
    "--publish",
    "--cap-add",
    "--cap-drop",
    "--pull",
  ],
  exec: ["-e", "--env", "-u", "--user", "-w", "--workdir", "--index"],
  logs: ["-n", "--tail", "--since", "--until", "--index"],
  kill: ["-s", "--signal"],
  stop: ["-t", "--timeout"],
  restart: ["-t", "--timeout"],
  down: ["-t", "--timeout", "--rmi"],
  ps: ["--format", "--filter", "--status"],
  build: ["--build-arg", "--builder", "--ssh", "--progress", "-m", "--memory"],
  pull: ["--policy"],
  port: ["--protocol", "--index"],
  images: ["--format"],
  config: ["--format", "-o", "--output", "--hash"],
};

/** Options whose value names a service (`--scale worker=3`, `--exit-code-from worker`). */
const SERVICE_VALUE_OPTIONS = new Set(["--scale", "--exit-code-from", "--attach", "--no-attach"]);

/** Subcommands whose first positional is a service and the rest is the command run in it. */
const ONE_SERVICE = new Set(["run", "exec", "port"]);

/** Subcommands that take no service names. */
const NO_SERVICES = new Set(["version", "ls", "cp", "wait", "watch", "stats", "alpha", "publish", "attach"]);

export function parseComposeCommand(words: readonly string[]): ComposeCommand {
  const text = words.join(" ");
  let i = 2; // past "docker compose"
  while (i < words.length && (words[i] as string).startsWith("-")) {
    const word = words[i] as string;
    i += GLOBAL_VALUE_OPTIONS.has(word) ? 2 : 1;
  }
  const subcommand = words[i];
  if (subcommand === undefined) return { text, services: [] };
  i++;
  const valueOptions = new Set(VALUE_OPTIONS[subcommand] ?? []);
  const services: string[] = [];
  while (i < words.length) {
    const word = words[i] as string;
    if (word.startsWith("-")) {
      const eq = word.indexOf("=");
      const flag = eq >= 0 ? word.slice(0, eq) : word;
      const inline = eq >= 0 ? word.slice(eq + 1) : undefined;
      const takesValue = valueOptions.has(flag);
      const value = inline ?? (takesValue ? words[i + 1] : undefined);
      if (SERVICE_VALUE_OPTIONS.has(flag) && value !== undefined)
        services.push(value.split("=")[0] as string);
      i += takesValue && inline === undefined ? 2 : 1;
      continue;
    }
    if (!NO_SERVICES.has(subcommand)) services.push(word);
    if (ONE_SERVICE.has(subcommand)) break;
    i++;
  }
  return { text, subcommand, services };
}

/** Every `docker compose` command in the document's code blocks. */
export function composeCommands(markdown: string): ComposeCommand[] {
  const found: ComposeCommand[] = [];
  for (const line of codeBlockLines(markdown)) {
    for (const match of line.matchAll(/(^|[\s($`])docker\s+compose(?=\s|$)/g)) {
      const start = (match.index ?? 0) + (match[1] as string).length;
      found.push(parseComposeCommand(shellWords(line.slice(start))));
    }
  }
  return found;
}
