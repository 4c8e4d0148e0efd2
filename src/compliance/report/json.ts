/**
 * @module The JSON report: the run itself (checks, vaults, inventory, results, errors), the summary the
 * other formats show, and the change since earlier snapshots, in one versioned document (schema.ts).
 */
import type { ComplianceRun } from "../model.js";
import { computeChanges, type PastReport } from "./changes.js";
import { REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION, type ReportChanges, type ReportDocument } from "./schema.js";
import { reportFrameworks, scopeRun, summarize } from "./summary.js";

/** Earlier snapshots to compare with; without it the report has no `changes`. */
export interface ReportHistory {
  past: readonly PastReport[];
  unreadable?: ReportChanges["unreadable"];
}

export function reportDocument(input: ComplianceRun, history?: ReportHistory): ReportDocument {
  const run = scopeRun(input);
  const summary = summarize(run);
  const changes = history
    ? computeChanges({ generatedAt: run.generatedAt, totals: summary.totals, results: run.results }, history.past, history.unreadable)
    : null;
  return {
    schema: REPORT_SCHEMA_ID,
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: run.generatedAt,
    generator: "kvguard",
    scope: { frameworks: reportFrameworks(run), vaults: run.vaults.map((v) => v.name) },
    summary,
    changes,
    checks: run.checks,
    vaults: run.vaults,
    inventory: run.inventory,
    results: run.results,
    errors: run.errors,
    ...(run.unused ? { unused: run.unused } : {}),
  };
}

/** One line of JSON and a newline: the snapshot and the `.json` report are this text. */
export function renderJson(document: ReportDocument): string {
  return `${JSON.stringify(document)}\n`;
}
