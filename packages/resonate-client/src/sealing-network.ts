import type { Encryptor, Message, Network, Send, Value } from "@resonatehq/sdk";
import { DelegatingNetwork } from "./delegating-network.js";
import { type PayloadCipher, PayloadDecryptionError } from "./payload-encryption.js";

/*
 * Where promise values are sealed and opened. SDK 0.11.5 hands its Encryptor a value without
 * the promise it belongs to, so the AES-GCM associated data could not name the promise there.
 * This network sits in front of the SDK's (the guarded HTTP one, or the in-process one): every
 * request that carries a param or value next to a promise id has it sealed for that id, and every
 * promise in an answer or a pushed message has its param and value opened for its own id. A
 * value that cannot be opened reaches the SDK as UNREADABLE_PREFIX + why, which the SDK's codec
 * then fails to decode with that reason (unreadableGuard), and raw readers report
 * (stored-promise.ts).
 */

/** Marks a value this network could not open; never base64 (':'), so never a real value. */
export const UNREADABLE_PREFIX = "unreadable:";

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null;
const hasData = (v: unknown): v is Value => isNode(v) && typeof v.data === "string" && v.data !== "";

/** Seals, in place, every param or value that sits next to a promise id (in a copy of a request). */
function sealAll(node: unknown, payloads: PayloadCipher): void {
  if (Array.isArray(node)) {
    for (const item of node) sealAll(item, payloads);
    return;
  }
  if (!isNode(node)) return;
  if (typeof node.id === "string") {
    for (const field of ["param", "value"] as const) {
      const value = node[field];
      if (hasData(value)) node[field] = payloads.seal(value, node.id);
    }
  }
  for (const [key, child] of Object.entries(node)) {
    if (key !== "param" && key !== "value") sealAll(child, payloads);
  }
}

/** Opens, in place, the param and value of every promise record (in a copy of an answer). */
function openAll(node: unknown, payloads: PayloadCipher): void {
  if (Array.isArray(node)) {
    for (const item of node) openAll(item, payloads);
    return;
  }
  if (!isNode(node)) return;
  if (typeof node.id === "string" && typeof node.state === "string") {
    for (const field of ["param", "value"] as const) {
      const value = node[field];
      if (!hasData(value)) continue;
      const opened = payloads.open(value, node.id);
      node[field] = opened.ok ? opened.value : { ...value, data: `${UNREADABLE_PREFIX}${opened.reason}` };
    }
  }
  for (const [key, child] of Object.entries(node)) {
    if (key !== "param" && key !== "value") openAll(child, payloads);
  }
}

/** The values of a request sealed (a copy: the SDK's own request object is left as it built it). */
export function sealRequest<T>(request: T, payloads: PayloadCipher): T {
  const copy = structuredClone(request);
  sealAll(copy, payloads);
  return copy;
}

/** The promises of an answer or message opened (a copy: the in-process network answers with what it stores). */
export function openAnswer<T>(answer: T, payloads: PayloadCipher): T {
  const copy = structuredClone(answer);
  openAll(copy, payloads);
  return copy;
}

export class SealingNetwork extends DelegatingNetwork {
  constructor(
    inner: Network,
    private readonly payloads: PayloadCipher,
  ) {
    super(inner);
  }

  override recv(callback: (msg: Message) => void): void {
    this.inner.recv((msg) => callback(openAnswer(msg, this.payloads)));
  }

  // An arrow property, as the SDK's networks: Resonate keeps `network.send` unbound.
  readonly send: Send = (async (req: Parameters<Send>[0]) =>
    openAnswer(await this.inner.send(sealRequest(req, this.payloads)), this.payloads)) as Send;
}

/**
 * The SDK's Encryptor behind a SealingNetwork: values arrive opened, so it changes nothing, and
 * a value the network could not open fails the SDK's decoding with the reason.
 */
export const unreadableGuard: Encryptor = {
  encrypt: (plaintext: Value) => plaintext,
  decrypt(ciphertext: Value): Value {
    const data: unknown = ciphertext.data;
    if (typeof data === "string" && data.startsWith(UNREADABLE_PREFIX)) {
      throw new PayloadDecryptionError(data.slice(UNREADABLE_PREFIX.length));
    }
    return ciphertext;
  },
};
