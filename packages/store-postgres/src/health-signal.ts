/**
 * What a health signal reads: the same shape as the pacing package's SignalState, kept here so
 * the store depends on no pacing code (the worker hands these readers to the controller).
 */
export type SignalReading = { level: "ok" } | { level: "slow" | "hold"; reason: string };

export interface SignalReader {
  readonly name: string;
  check(): Promise<SignalReading>;
}
