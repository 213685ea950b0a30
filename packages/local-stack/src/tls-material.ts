import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Certificates and keys for one test broker, all PEM, generated per run and never committed. */
export interface TlsMaterial {
  /** The CA that signed the broker's and the client's certificates. */
  caFile: string;
  /** A CA that signed nothing here: a client trusting only it must refuse the broker. */
  untrustedCaFile: string;
  /** The broker's certificate followed by its key: a keystore for ssl.keystore.type=PEM. */
  brokerKeystoreFile: string;
  /** A client certificate signed by the CA, and its key, for the listener that requires one. */
  clientCertFile: string;
  clientKeyFile: string;
}

export class TlsMaterialError extends Error {
  override name = "TlsMaterialError";
}

// P-256 keys: generated in milliseconds, where RSA keys take a noticeable part of a second each.
const NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const DAYS = ["-days", "2"];

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args, { timeout: 30_000 });
  } catch (error) {
    const err = error as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT")
      throw new TlsMaterialError("the openssl command is needed to make the test broker's certificates");
    throw new TlsMaterialError(`openssl ${args[0]} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** A self-signed CA certificate and its key. */
async function certificateAuthority(dir: string, name: string, commonName: string) {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  await openssl([
    "req",
    "-x509",
    ...NEW_KEY,
    "-keyout",
    key,
    "-out",
    cert,
    ...DAYS,
    "-subj",
    `/CN=${commonName}`,
  ]);
  return { cert, key };
}

/** A certificate for `commonName` signed by `ca`, with the given X.509 extensions. */
async function signed(
  dir: string,
  name: string,
  commonName: string,
  ca: { cert: string; key: string },
  extensions: string,
) {
  const key = join(dir, `${name}.key`);
  const request = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, `${extensions}\n`);
  await openssl(["req", ...NEW_KEY, "-keyout", key, "-out", request, "-subj", `/CN=${commonName}`]);
  await openssl([
    "x509",
    "-req",
    "-in",
    request,
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
    "-CAcreateserial",
    "-out",
    cert,
    ...DAYS,
    "-extfile",
    extFile,
  ]);
  return { cert, key };
}

/**
 * Makes a CA, a broker certificate valid for `hosts` (the client checks the name, as librdkafka
 * does by default), a client certificate, and an unrelated CA, all inside `dir`.
 */
export async function createTlsMaterial(dir: string, hosts: readonly string[]): Promise<TlsMaterial> {
  const ca = await certificateAuthority(dir, "ca", "batch-deletion test CA");
  const untrusted = await certificateAuthority(dir, "untrusted-ca", "some other CA");
  const altNames = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
  // One after the other: both update the CA's serial file.
  const broker = await signed(dir, "broker", hosts[0] ?? "localhost", ca, `subjectAltName=${altNames}`);
  const client = await signed(dir, "client", "deletion-test-client", ca, "extendedKeyUsage=clientAuth");
  const brokerKeystoreFile = join(dir, "broker-keystore.pem");
  await writeFile(
    brokerKeystoreFile,
    `${await readFile(broker.cert, "utf8")}${await readFile(broker.key, "utf8")}`,
    {
      mode: 0o600,
    },
  );
  return {
    caFile: ca.cert,
    untrustedCaFile: untrusted.cert,
    brokerKeystoreFile,
    clientCertFile: client.cert,
    clientKeyFile: client.key,
  };
}
