/**
 * @module `kvguard report`: runs the compliance checks on the configured vaults (or some) and writes the
 * report in the formats asked for to a folder, with this run's snapshot under `snapshots/` beside it, which
 * the next report in the same folder compares with. Prints the paths written, one a line.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { lineWriter } from "../common/logText.js";
import { parseFormats } from "../config/reportFormats.js";
import { createApp } from "../app/index.js";
import { reportSentence } from "../compliance/report/sentence.js";
import { frameworksSetting } from "../config/reportSettings.js";

export const reportUsage = `kvguard report [options]
  --vault NAME            report on this vault only (as named in KVGUARD_VAULT_URLS); repeatable
  --framework NAME        only checks mapping to azure-policy, cis, mcsb, pci, nist-800-57 or iso-27001; repeatable
  --format LIST           html,csv,json,pdf (default KVGUARD_REPORT_FORMATS: all four)
  --out DIR               where to write (default ./kvguard-reports); snapshots go to DIR/snapshots/`;

const list = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

export async function reportCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      vault: { type: "string", multiple: true },
      framework: { type: "string", multiple: true },
      format: { type: "string" },
      out: { type: "string" },
    },
  });
  if (positionals.length > 0) throw new Error(`unexpected ${positionals.join(" ")}; name vaults with --vault\n${reportUsage}`);
  const frameworks = frameworksSetting.safeParse(list(values.framework).join(","));
  if (!frameworks.success) throw new Error(`--framework: ${z.prettifyError(frameworks.error).replace(/^✖ /, "")}`);
  const formats = values.format === undefined ? undefined : parseFormats(values.format);
  const vaults = list(values.vault);
  const published = await createApp(process.env).reportToFolder(values.out ?? "kvguard-reports", {
    ...(vaults.length ? { vaults } : {}),
    ...(frameworks.data.length ? { frameworks: frameworks.data } : {}),
    ...(formats ? { formats } : {}),
  });
  for (const file of published.files) out.write(`${file.location}\n`);
  out.write(`${published.snapshot}\n`);
  const warn = lineWriter(err);
  warn(`kvguard report: ${reportSentence(published)}`);
  // ARM's and the vault's errors can quote what the checks read: one escaped line each.
  for (const e of published.document.errors) warn(`  not fully assessed: ${e.vault}: ${e.message}`);
  return 0;
}
