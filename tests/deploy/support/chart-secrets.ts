import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoPath } from "./repo.js";

/**
 * Real secret files for the paths a rendered pod names in its *_FILE variables, so the apps'
 * CLI specs can read them as they would in the pod: certificates and tokens from
 * deploy/secure/generate-secrets.sh, the rest written here.
 */
export interface LocalSecrets {
  /** The env with every path under `mountDir` moved to the local copy. */
  localise(env: Record<string, string>, mountDir: string): Record<string, string>;
  remove(): void;
}

/** What each *_FILE variable's file holds: a file generate-secrets.sh makes, or literal text. */
const CONTENT: Record<string, { generated: string } | { text: string }> = {
  KAFKA_SASL_PASSWORD_FILE: { text: "app-password-from-secret\n" },
  KAFKA_SSL_CA_FILE: { generated: "ca.crt" },
  // Any PEM certificate and unencrypted key: the apps check the labels at start.
  KAFKA_SSL_CERT_FILE: { generated: "broker.crt" },
  KAFKA_SSL_KEY_FILE: { generated: "broker.key" },
  RESONATE_TOKEN_FILE: { generated: "worker.token" },
  RESONATE_ENCRYPTION_KEY_FILE: { text: `k2:${Buffer.alloc(32, 2).toString("base64")}\n` },
  RESONATE_ENCRYPTION_OLD_KEYS_FILE: { text: `k1:${Buffer.alloc(32, 1).toString("base64")}\n` },
  RESONATE_PROMISE_ID_KEY_FILE: { text: `${Buffer.alloc(32, 3).toString("base64")}\n` },
  STATUS_TOKEN_FILE: { generated: "status-http.token" },
  REQUEST_SIGNING_KEY_FILE: {
    text: String(generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" })),
  },
};

export function localSecrets(): LocalSecrets {
  const generated = mkdtempSync(join(tmpdir(), "chart-secrets-generated-"));
  execFileSync("sh", [repoPath("deploy/secure/generate-secrets.sh")], {
    env: { ...process.env, SECRETS_DIR: generated },
    stdio: "ignore",
  });
  const root = mkdtempSync(join(tmpdir(), "chart-secrets-"));
  return {
    localise(env, mountDir) {
      const out: Record<string, string> = { ...env };
      // Producers' public keys, <id>=<file>,...: any Ed25519 public key in PEM will do.
      if (env.REQUEST_SIGNATURE_KEYS !== undefined) {
        out.REQUEST_SIGNATURE_KEYS = env.REQUEST_SIGNATURE_KEYS.split(",")
          .map((entry) => {
            const [id, path = ""] = entry.split("=");
            const local = join(root, path.slice(mountDir.length + 1));
            mkdirSync(dirname(local), { recursive: true });
            copyFileSync(join(generated, "resonate-auth.pub"), local);
            return `${id}=${local}`;
          })
          .join(",");
      }
      for (const [name, value] of Object.entries(env)) {
        if (!name.endsWith("_FILE") || !value.startsWith(`${mountDir}/`)) continue;
        const content = CONTENT[name];
        if (!content) throw new Error(`no local content for ${name}: add it to chart-secrets.ts`);
        const local = join(root, value.slice(mountDir.length + 1));
        mkdirSync(dirname(local), { recursive: true });
        if ("text" in content) writeFileSync(local, content.text);
        else copyFileSync(join(generated, content.generated), local);
        out[name] = local;
      }
      return out;
    },
    remove() {
      rmSync(generated, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    },
  };
}
