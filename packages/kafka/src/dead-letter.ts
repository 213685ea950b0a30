import type { DeadLetter, DecodeError } from "@deletion/contracts";

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** The dead letter for a message that could not be decoded: its exact bytes and why. */
export function deadLetterFor(message: RawMessage, error: DecodeError, now = new Date()): DeadLetter {
  return {
    schemaVersion: 1,
    reasonCode: error.code,
    reason: error.reason,
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    keyBase64: message.key === null ? null : message.key.toString("base64"),
    valueBase64: message.value === null ? null : message.value.toString("base64"),
    deadLetteredAt: now.toISOString(),
  };
}
