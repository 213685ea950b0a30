import type { RedriveProgress, RedriveSummary } from "@deletion/kafka";

const number = new Intl.NumberFormat("en-US");

const SKIP_WORDS: Record<keyof RedriveSummary["skipped"], string> = {
  reasonNotSelected: "reason not selected",
  noRequest: "no request in it",
  alreadyInThisRun: "record already re-driven in this run",
  unreadable: "not a dead letter",
};

/** "re-published 3 requests to t from 5 dead letters read from d; skipped 2 (reason not selected: 2)" */
export function summaryLine(
  summary: RedriveSummary,
  topics: { deadLetters: string; requests: string },
): string {
  const count = summary.dryRun ? summary.wouldRepublish : summary.republished;
  const verb = summary.dryRun ? "dry run: would re-publish" : "re-published";
  const skipped = Object.entries(summary.skipped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${SKIP_WORDS[why as keyof typeof SKIP_WORDS]}: ${number.format(n)}`);
  const skippedTotal = Object.values(summary.skipped).reduce((a, b) => a + b, 0);
  const tail = skippedTotal > 0 ? `; skipped ${number.format(skippedTotal)} (${skipped.join(", ")})` : "";
  const end = summary.complete
    ? ""
    : `; stopped before the end of ${topics.deadLetters} (read ${number.format(summary.read)} of ${number.format(summary.total)})`;
  return `${verb} ${number.format(count)} request(s) to ${topics.requests} from ${number.format(summary.read)} dead letter(s) read from ${topics.deadLetters}${tail}${end}`;
}

/** "progress: 400 / 1,000 dead letters read, 120 re-published" */
export function progressLine(progress: RedriveProgress): string {
  return `progress: ${number.format(progress.read)} / ${number.format(progress.total)} dead letters read, ${number.format(progress.republished)} re-published`;
}
