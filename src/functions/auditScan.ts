/** @module Timer `auditScan`: reads new audit records from every source and stores the findings. */
import type { InvocationContext, Timer } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { TimerFunctionDefinition } from "./table.js";

export async function auditScanHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  // The host never overlaps timer runs; the app also queues a direct call (the local demo's) behind one.
  const report = await currentApp().auditScan();
  const { formatProblem } = await import("../audit/sources/report.js");
  const { ingest } = report;
  context.log(
    `audit scan: ${ingest.records} records (${ingest.benign} benign, ${ingest.malformed} malformed), ` +
      `${report.findings} findings (${report.newFindings} new, ${report.suppressed} suppressed)${report.warm ? "" : "; baselines warming up"}`,
  );
  for (const problem of ingest.problems) context.warn(formatProblem(problem));
  for (const partial of ingest.partial) context.warn(`partial read: ${partial}`);
}

export const auditScan: TimerFunctionDefinition = {
  kind: "timer",
  name: "auditScan",
  // Resolved from the app setting (its schema default when unset), as the host resolves %NAME%.
  schedule: "%KVGUARD_AUDIT_SCHEDULE%",
  handler: auditScanHandler,
};
