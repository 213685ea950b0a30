import type { HttpAdapter } from "@resonatehq/sdk";

/** A poll adapter that never receives anything: the network tests exercise requests only. */
export const adapter: HttpAdapter = {
  unicast: "poll://uni@g/p",
  anycast: "poll://any@g/p",
  match: (target) => `poll://any@${target}`,
  init: async () => {},
  stop: async () => {},
  onReceive: () => {},
};
