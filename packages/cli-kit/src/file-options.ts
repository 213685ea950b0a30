import { readFileSync } from "node:fs";
import { z } from "zod";

/** The text of a file, or why it cannot be read (the error names the path, never the content). */
function readText(path: string): { ok: true; text: string } | { ok: false; reason: string } {
  try {
    return { ok: true, text: readFileSync(path, "utf8") };
  } catch (error) {
    return {
      ok: false,
      reason: `cannot read it (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}

/**
 * A secret kept in a file, the way container platforms hand them over (`*_FILE`): the whole
 * content without the line break editors add at the end. Throws naming the path only.
 */
export function readSecretFile(path: string): string {
  const read = readText(path);
  if (!read.ok) throw new Error(`${path}: ${read.reason}`);
  return read.text.replace(/\r?\n$/, "");
}

/** A path to a file holding a secret; checked to be readable and not empty, its content never shown. */
export const secretFileSchema = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    const read = readText(path);
    if (!read.ok) ctx.addIssue({ code: "custom", message: read.reason });
    else if (read.text.replace(/\r?\n$/, "") === "")
      ctx.addIssue({ code: "custom", message: "the file is empty" });
  });

/** What a PEM file must hold: its label, and a label it must not have (with the reason). */
export interface PemExpectation {
  what: string;
  label: RegExp;
  /** The label as a person would look for it. */
  labelText: string;
  refuse?: { label: RegExp; reason: string };
}

export const PEM_CERTIFICATE: PemExpectation = {
  what: "a PEM certificate",
  label: /-----BEGIN CERTIFICATE-----/,
  labelText: "-----BEGIN CERTIFICATE-----",
};

export const PEM_PRIVATE_KEY: PemExpectation = {
  what: "a PEM private key",
  label: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
  labelText: "-----BEGIN PRIVATE KEY-----",
  refuse: {
    label: /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/,
    reason: "the private key is encrypted; give it unencrypted (readable by this process only)",
  },
};

/**
 * A path to a PEM file, checked up front: the Kafka client fails on a bad one with nothing
 * better than "Erroneous state". The check looks at labels only and never shows the content.
 */
export function pemFileSchema(expected: PemExpectation) {
  return z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      const read = readText(path);
      if (!read.ok) ctx.addIssue({ code: "custom", message: read.reason });
      else if (expected.refuse?.label.test(read.text))
        ctx.addIssue({ code: "custom", message: expected.refuse.reason });
      else if (!expected.label.test(read.text))
        ctx.addIssue({ code: "custom", message: `not ${expected.what} (no ${expected.labelText} line)` });
    });
}
