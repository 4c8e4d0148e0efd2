/** @module One sentence about a published report, for its alert and the logs: results, pass rate, change since the last snapshot. */
import type { PublishedReport } from "./publish.js";
import { passRate } from "./summary.js";

export function reportSentence(published: PublishedReport): string {
  const { summary, changes, scope } = published.document;
  const t = summary.totals;
  const rate = passRate(t);
  const change = changes?.previous ? `; since ${changes.previous.slice(0, 10)}: ${changes.newFailures.length} new failures, ${changes.fixed.length} fixed` : "";
  return `${scope.vaults.length} vaults, ${t.total} results: ${t.fail} fail, ${t.error} error, ${t.pass} pass (${rate === null ? "nothing assessed" : `${rate}% pass`})${change}.`;
}
