/**
 * @module Timer `complianceReport` (`%KVGUARD_REPORT_SCHEDULE%`, monthly by default): a compliance report of
 * every vault in the report container, announced through alerting.
 */
import type { InvocationContext, Timer } from "@azure/functions";
import type { TimerFunctionDefinition } from "./table.js";

export async function complianceReportHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  // Loaded when it runs (monthly): the checks, renderers and ARM clients would slow every cold start.
  const { publishReportToContainer, reportSentence } = await import("../compliance/report/fromSettings.js");
  const published = await publishReportToContainer(process.env, {}, (line) => context.warn(line));
  context.log(`compliance report: ${reportSentence(published)} ${published.files.map((f) => f.location).join(", ")}`);
  for (const e of published.document.errors) context.warn(`not fully assessed: ${e.vault}: ${e.message}`);
}

export const complianceReport: TimerFunctionDefinition = {
  kind: "timer",
  name: "complianceReport",
  // Resolved from the app setting (its schema default when unset), as the host resolves %NAME%.
  schedule: "%KVGUARD_REPORT_SCHEDULE%",
  handler: complianceReportHandler,
};
