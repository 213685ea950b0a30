import type { Snapshot } from "@deletion/console-server/view";
import { useEffect, useState } from "preact/hooks";

export interface Live {
  snapshot: Snapshot | undefined;
  /** The event stream is open (the browser reconnects on its own when it drops). */
  connected: boolean;
}

/** The server's snapshots as they are pushed; the page keeps only the latest. */
export function useLive(enabled: boolean): Live {
  const [live, setLive] = useState<Live>({ snapshot: undefined, connected: false });
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource("/api/events");
    source.addEventListener("snapshot", (event) => {
      setLive({ snapshot: JSON.parse((event as MessageEvent<string>).data) as Snapshot, connected: true });
    });
    source.addEventListener("open", () => setLive((l) => ({ ...l, connected: true })));
    source.addEventListener("error", () => setLive((l) => ({ ...l, connected: false })));
    return () => source.close();
  }, [enabled]);
  return live;
}
