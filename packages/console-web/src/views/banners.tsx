import type { Live } from "../live.js";

/** What is wrong right now, in words: the stream, the topics, the Resonate server, the lag read. */
export function Banners({ live }: { live: Live }) {
  const problems: string[] = [];
  const s = live.snapshot;
  if (!live.connected) problems.push("The live connection to the console is down; reconnecting.");
  if (s?.topics.ok === false) problems.push(`Cannot read the topics: ${s.topics.error}`);
  if (s?.resonate.ok === false) problems.push(`The Resonate server does not answer: ${s.resonate.error}`);
  if (s?.lag.error) problems.push(`Cannot read the consumer group's lag: ${s.lag.error}`);
  if (problems.length === 0) return null;
  return (
    <div class="banner" role="alert" data-testid="error-banner">
      {problems.map((p) => (
        <p key={p}>{p}</p>
      ))}
    </div>
  );
}
