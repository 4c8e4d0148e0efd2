/** @module Timer `exportOut`: sends new rotation history, findings and reports to Event Grid and Log Analytics. */
import type { InvocationContext, Timer } from "@azure/functions";
import { currentApp } from "../app/index.js";
import type { TimerFunctionDefinition } from "./table.js";

export async function exportOutHandler(_timer: Timer, context: InvocationContext): Promise<void> {
  const exporter = await currentApp().exporter();
  const { reportLine } = await import("../export/exporter.js");
  if (!exporter) {
    context.log("export: neither KVGUARD_EXPORT_TOPIC_ENDPOINT nor KVGUARD_EXPORT_DCE_ENDPOINT is set; nothing to send");
    return;
  }
  for (const report of await exporter.run()) {
    // What failed waits for the next run (the cursor did not move past it); say so loudly.
    if (report.failed.length || report.refused.length) context.warn(reportLine(report));
    else context.log(reportLine(report));
    for (const refused of report.refused.slice(0, 20)) context.warn(`export ${report.sink}: refused ${refused.key}: ${refused.reason}`);
  }
}

export const exportOut: TimerFunctionDefinition = {
  kind: "timer",
  name: "exportOut",
  // Resolved from the app setting (its schema default when unset), as the host resolves %NAME%.
  schedule: "%KVGUARD_EXPORT_SCHEDULE%",
  handler: exportOutHandler,
};
