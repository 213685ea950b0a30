import type { PayloadCipher } from "./payload-encryption.js";
import { UNREADABLE_PREFIX } from "./sealing-network.js";

/**
 * A param or value as stored. `unreadable` is set on one that could not be decrypted (why), so
 * every reader of promise values reports it like any other value it cannot use.
 */
export interface StoredValue {
  headers?: Record<string, string> | undefined;
  data?: unknown;
  unreadable?: string | undefined;
}

/** The part of a promise as the server stores it that is read here (the SDK's PromiseRecord fits). */
export interface StoredPromise {
  id: string;
  state: "pending" | "resolved" | "rejected" | "rejected_canceled" | "rejected_timedout";
  param?: StoredValue | undefined;
  value?: StoredValue | undefined;
}

/** A promise read raw from the server (not through the client): param and value opened for its id. */
export function openStoredPromise<P extends StoredPromise>(promise: P, payloads: PayloadCipher): P {
  const open = (stored: StoredValue | undefined): StoredValue | undefined => {
    const opened = payloads.open(stored, promise.id);
    return opened.ok ? opened.value : { unreadable: opened.reason };
  };
  return { ...promise, param: open(promise.param), value: open(promise.value) };
}

/**
 * A promise read through the client (createResonateClient), whose network opened it already: a
 * value it could not open is marked with why.
 */
export function readClientPromise<P extends StoredPromise>(promise: P): P {
  const read = (stored: StoredValue | undefined): StoredValue | undefined =>
    typeof stored?.data === "string" && stored.data.startsWith(UNREADABLE_PREFIX)
      ? { unreadable: stored.data.slice(UNREADABLE_PREFIX.length) }
      : stored;
  return { ...promise, param: read(promise.param), value: read(promise.value) };
}
