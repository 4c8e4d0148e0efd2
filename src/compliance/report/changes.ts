/**
 * @module Change over time: this run against earlier snapshots (their JSON reports). New failures and fixes
 * against the latest earlier snapshot, and a trend of outcome totals across all of them, because SOC 2
 * Type 2 and PCI DSS 3.7.4 ask whether the controls held over a period, not at one moment.
 */
import type { CheckResult, Outcome } from "../model.js";
import type { ReportChanges, ResultRef } from "./schema.js";
import { passRate, resultKey, type Totals } from "./summary.js";

/** What is needed of an earlier report. */
export interface PastReport {
  generatedAt: string;
  totals: Totals;
  results: readonly Pick<CheckResult, "checkId" | "vault" | "objectType" | "objectName" | "objectId" | "outcome" | "reason">[];
}

function ref(r: PastReport["results"][number]): ResultRef {
  return { checkId: r.checkId, vault: r.vault, objectType: r.objectType, objectName: r.objectName, objectId: r.objectId, reason: r.reason };
}

/**
 * @param current - this run's results and totals
 * @param past - earlier reports in any order; those not before this run are ignored
 * @param unreadable - snapshots the caller could not read, carried into the report
 */
export function computeChanges(current: PastReport, past: readonly PastReport[], unreadable: ReportChanges["unreadable"] = []): ReportChanges {
  const earlier = past.filter((p) => p.generatedAt < current.generatedAt).sort((a, b) => a.generatedAt.localeCompare(b.generatedAt));
  const previous = earlier.at(-1);
  const trend = [...earlier, current].map((p) => ({ generatedAt: p.generatedAt, totals: p.totals, passRate: passRate(p.totals) }));
  if (!previous) return { previous: null, newFailures: [], fixed: [], stillFailing: 0, gone: 0, trend, unreadable };
  const before = new Map<string, Outcome>(previous.results.map((r) => [resultKey(r), r.outcome]));
  const now = new Map(current.results.map((r) => [resultKey(r), r]));
  const newFailures = current.results.filter((r) => r.outcome === "fail" && before.get(resultKey(r)) !== "fail").map(ref);
  const fixed: ResultRef[] = [];
  let stillFailing = 0;
  let gone = 0;
  for (const old of previous.results) {
    if (old.outcome !== "fail") continue;
    const latest = now.get(resultKey(old));
    if (!latest) gone++;
    else if (latest.outcome === "fail") stillFailing++;
    else if (latest.outcome === "pass") fixed.push(ref(latest));
  }
  return { previous: previous.generatedAt, newFailures, fixed, stillFailing, gone, trend, unreadable };
}
