import { existsSync, readdirSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { repoPath } from "./repo.js";

/** README.md and every Markdown file under docs/, as paths from the repository root. */
export function documentPaths(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(repoPath(dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith(".md") ? [path] : [];
    });
  return ["README.md", ...walk("docs").sort()];
}

/** The text outside fenced code blocks, with its line numbers kept. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  });
}

export interface DocReference {
  /** The document it stands in. */
  doc: string;
  line: number;
  /** As written. */
  text: string;
  /** The file or folder it names, from the repository root. */
  target: string;
}

/**
 * Every relative link target in a document (`[text](target)`, `![alt](target)`), resolved from the
 * document's folder; links with a scheme (https:, mailto:) and in-page anchors are left out.
 */
export function relativeLinks(doc: string, markdown: string): DocReference[] {
  return prose(markdown).flatMap((line, i) =>
    [...line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].flatMap((match) => {
      const text = match[1] as string;
      if (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith("#")) return [];
      const path = decodeURIComponent(text.split("#")[0] as string);
      return [{ doc, line: i + 1, text, target: normalize(join(dirname(doc), path)) }];
    }),
  );
}

const TOP_FOLDERS = ["apps", "bench", "deploy", "docs", "packages", "scripts", "tests"];

/**
 * Every path from the repository root written as inline code (`packages/kafka/src/redrive.ts`). A
 * bare file name listed after such a path with a comma names a file beside it
 * (`…/deletion-workflow.ts`, `batch-step.ts`). Placeholders and patterns (`apps/<app>/src/`,
 * `packages/*`) are left out.
 */
export function codePaths(doc: string, markdown: string): DocReference[] {
  return prose(markdown).flatMap((line, i) => {
    const found: DocReference[] = [];
    let folder: string | undefined;
    let end = 0;
    for (const match of line.matchAll(/`([^`\s]+)`/g)) {
      const text = match[1] as string;
      const listed = /^\s*,\s*$/.test(line.slice(end, match.index));
      end = match.index + match[0].length;
      if (TOP_FOLDERS.includes(text.split("/")[0] as string) && text.includes("/")) {
        folder = undefined;
        if (/[<>*{}]/.test(text)) continue;
        found.push({ doc, line: i + 1, text, target: normalize(text) });
        folder = /\.\w+$/.test(text) ? dirname(text) : text;
      } else if (folder !== undefined && listed && /^[\w.-]+\.\w+$/.test(text)) {
        found.push({ doc, line: i + 1, text, target: normalize(join(folder, text)) });
      } else {
        folder = undefined;
      }
    }
    return found;
  });
}

/** The references whose file or folder does not exist. */
export function missing(references: DocReference[]): string[] {
  return references
    .filter((ref) => !existsSync(repoPath(ref.target)))
    .map((ref) => `${ref.doc}:${ref.line}: ${ref.text} (${ref.target} does not exist)`);
}
