import type { PayloadCipher } from "./payload-encryption.js";

/**
 * A param or value as stored. `unreadable` is set by openStoredPromise on one that could not be
 * decrypted (why), so every reader of promise values reports it like any other value it cannot use.
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

/** A promise read raw, its param and value decrypted (or marked unreadable, with why). */
export function openStoredPromise<P extends StoredPromise>(promise: P, payloads: PayloadCipher): P {
  const open = (stored: StoredValue | undefined): StoredValue | undefined => {
    const opened = payloads.open(stored);
    return opened.ok ? opened.value : { unreadable: opened.reason };
  };
  return { ...promise, param: open(promise.param), value: open(promise.value) };
}
