import type { RecordRow } from "./record-board.js";
import { renderBoard } from "./render.js";

export interface TerminalView {
  update(rows: readonly RecordRow[], elapsedMs: number): void;
  /** Draws the final state once more and leaves it on screen. */
  close(rows: readonly RecordRow[], elapsedMs: number): void;
}

/**
 * On a terminal the table is redrawn in place; elsewhere (CI logs, pipes) a progress line is
 * printed now and then, since a redrawn table would turn into thousands of lines.
 */
export function terminalView(
  out: NodeJS.WriteStream | NodeJS.WritableStream,
  intervalMs = 250,
): TerminalView {
  const isTty = "isTTY" in out && out.isTTY === true;
  let lastDraw = 0;
  let lastPlain = "";
  let drawnLines = 0;
  const draw = (rows: readonly RecordRow[], elapsedMs: number) => {
    const text = renderBoard(rows, elapsedMs);
    const up = drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[J` : "";
    out.write(`${up}${text}\n`);
    drawnLines = text.split("\n").length;
  };
  return {
    update(rows, elapsedMs) {
      const now = Date.now();
      if (isTty) {
        if (now - lastDraw >= intervalMs) {
          lastDraw = now;
          draw(rows, elapsedMs);
        }
        return;
      }
      const line = renderBoard(rows, elapsedMs).split("\n")[0] ?? "";
      if (line !== lastPlain && now - lastDraw >= 2_000) {
        lastDraw = now;
        lastPlain = line;
        out.write(`${line}\n`);
      }
    },
    close(rows, elapsedMs) {
      if (isTty) draw(rows, elapsedMs);
      else out.write(`${renderBoard(rows, elapsedMs)}\n`);
    },
  };
}
