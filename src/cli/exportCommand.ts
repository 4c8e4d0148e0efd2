/**
 * @module `kvguard export`: one run of the exporter, as the exportOut timer runs it: new rotation history,
 * findings and report snapshots to the Event Grid topic and the Log Analytics tables the settings turn on.
 * One line per destination; exit 1 when a destination failed or refused something.
 */
import { parseArgs } from "node:util";
import { lineWriter } from "../common/logText.js";
import { reportLine } from "../export/exporter.js";
import { createApp } from "../app/index.js";

export const exportUsage = `kvguard export [options]
  --reports DIR           read report snapshots from DIR/snapshots/ (kvguard report --out DIR) instead of the report container`;

export async function exportCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { reports: { type: "string" } } });
  if (positionals.length > 0) throw new Error(`unexpected ${positionals.join(" ")}\n${exportUsage}`);
  const exporter = await createApp(process.env).exporter(values.reports ? { reportsDir: values.reports } : {});
  if (!exporter)
    throw new Error(
      "nothing to export to: set KVGUARD_EXPORT_TOPIC_ENDPOINT (or KVGUARD_EXPORT_NAMESPACE_ENDPOINT and KVGUARD_EXPORT_NAMESPACE_TOPIC), or KVGUARD_EXPORT_DCE_ENDPOINT and KVGUARD_EXPORT_DCR_ID (docs/export.md)",
    );
  const write = lineWriter(out);
  let trouble = false;
  for (const report of await exporter.run()) {
    write(reportLine(report));
    for (const refused of report.refused) write(`  refused ${refused.key}: ${refused.reason}`);
    for (const unreadable of report.unreadable) write(`  unreadable ${unreadable.key}: ${unreadable.reason}`);
    trouble ||= report.failed.length > 0 || report.refused.length > 0;
  }
  return trouble ? 1 : 0;
}
