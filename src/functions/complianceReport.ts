/**
 * @module Timer `complianceReport` (`%KVGUARD_REPORT_SCHEDULE%`, monthly by default): a compliance report of
 * every vault in the report container, announced through alerting.
 */
import type { InvocationContext, Timer } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { TimerFunctionDefinition } from "./table.js";

export async function complianceReportHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const published = await currentApp().reportToContainer({}, (line) => context.warn(line));
  const { reportSentence } = await import("../compliance/report/sentence.js");
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
