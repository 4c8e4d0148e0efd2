/**
 * @module `kvguard audit PATH...`: reads audit logs from files and folders (JSON lines, records wrappers,
 * arrays, .gz), learns baselines from the records themselves in time order (the first --baseline-days are
 * warm-up), and prints the findings: a table, or JSON lines with --format json. Progress goes to stderr,
 * as a bar only when stderr is a terminal; malformed lines are counted and listed with file and line, and
 * make the exit code 3.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { Baseline } from "../audit/baseline.js";
import { DAY_MS } from "../common/duration.js";
import { AuditEngine } from "../audit/engine.js";
import type { Finding } from "../audit/finding.js";
import { loadInputs } from "../audit/inputs.js";
import { listRecordFiles } from "../audit/sources/files.js";
import { MAX_LINE_BYTES } from "../audit/sources/decode.js";
import { readAuditFiles } from "../audit/sources/parallelFiles.js";
import { formatProblem, IngestReport } from "../audit/sources/report.js";
import { FileStateStore } from "../audit/store/stateStore.js";
import { parseDurationSeconds } from "../common/duration.js";
import { thresholdsSetting } from "../config/auditSettings.js";
import { detectors } from "../audit/detectors/registry.js";

export const auditUsage = `kvguard audit PATH... [options]
  --since WHEN            report findings from WHEN on (ISO date, or a duration back from now: P7D);
                          earlier records only train the baselines
  --baseline-days N       days of warm-up and baseline window (default 14; 0 reports at once)
  --format table|json     a table (default) or one JSON finding a line
  --threat-intel FILE     one IP or CIDR a line, # comments
  --allowed-networks CIDRS  comma-separated; access from elsewhere is a finding
  --canary NAME           a decoy secret (NAME or VAULT/NAME); repeatable
  --suppressions FILE     suppression rules (YAML or JSON)
  --threshold D.NAME=N    override a detector threshold; repeatable
  --self-id ID            kvguard's own object or app id (benign); repeatable
  --state DIR             keep baselines in DIR and continue from them next run
Exit codes: 0 read cleanly; 2 no audit log file found; 3 some input lines or records were malformed (or a
line was longer than ${MAX_LINE_BYTES / 1024 / 1024} MB) and were skipped: the findings cover the rest.`;

/** Exit code when input was malformed: the run completed over the rest, but some input was not read. */
export const EXIT_MALFORMED = 3;

const PROGRESS_INTERVAL_MS = 200;

function parseSince(text: string, nowMs: number): number {
  if (/^P/i.test(text) || /^\d+$/.test(text)) return nowMs - parseDurationSeconds(text) * 1000;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`--since "${text}" is not a date (2026-01-19T00:00:00Z) or a duration (P7D)`);
  return ms;
}

function formatTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return "no findings\n";
  const rows = findings.map((f) => [
    f.severity,
    f.detector,
    f.vault,
    f.principal.upn ?? f.principal.appid ?? f.principal.oid ?? "-",
    f.start.slice(0, 19) + "Z",
    String(f.count),
    f.summary,
  ]);
  const header = ["SEVERITY", "DETECTOR", "VAULT", "PRINCIPAL", "START", "COUNT", "SUMMARY"];
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** A one-line progress bar redrawn in place on a terminal. */
function progressBar(totalBytes: number, report: IngestReport, err: NodeJS.WriteStream): (bytes: number) => void {
  const started = Date.now();
  let last = 0;
  return (bytes) => {
    const now = Date.now();
    if (now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
    const width = 30;
    const filled = Math.round(share * width);
    const rate = Math.round(report.records / Math.max(0.001, (now - started) / 1000));
    err.write(
      `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${report.records} records  ${rate}/s  ${report.malformed} malformed`,
    );
  };
}

export async function auditCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WriteStream = process.stderr): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      since: { type: "string" },
      "baseline-days": { type: "string" },
      format: { type: "string" },
      "threat-intel": { type: "string" },
      "allowed-networks": { type: "string" },
      canary: { type: "string", multiple: true },
      suppressions: { type: "string" },
      threshold: { type: "string", multiple: true },
      "self-id": { type: "string", multiple: true },
      state: { type: "string" },
    },
  });
  if (positionals.length === 0) throw new Error(`give at least one file or folder of audit logs\n${auditUsage}`);
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") throw new Error(`--format must be table or json, got ${format}`);
  const baselineDays = values["baseline-days"] === undefined ? 14 : Number(values["baseline-days"]);
  if (!Number.isInteger(baselineDays) || baselineDays < 0)
    throw new Error(`--baseline-days must be a whole number of days (0 or more), got ${values["baseline-days"]}`);
  const sinceMs = values.since === undefined ? undefined : parseSince(values.since, Date.now());
  const thresholds = thresholdsSetting.safeParse((values.threshold ?? []).join(","));
  if (!thresholds.success) throw new Error(`--threshold: ${z.prettifyError(thresholds.error)}`);

  const { inputs, suppressions } = await loadInputs({
    threatIntelFile: values["threat-intel"],
    allowedNetworks: values["allowed-networks"],
    canaries: values.canary,
    suppressionsFile: values.suppressions,
  });
  const store = values.state ? new FileStateStore(values.state) : undefined;
  const saved = await store?.get("baseline");
  // A window of at least a day, even when reporting at once (--baseline-days 0).
  const window = Math.max(1, baselineDays);
  const baseline = saved === undefined ? new Baseline(window) : Baseline.fromJSON(saved, window);
  const engine = new AuditEngine({
    detectors,
    baseline,
    warmupDays: baselineDays,
    inputs,
    suppressions,
    thresholds: thresholds.data,
    selfIds: values["self-id"] ?? [],
  });

  const report = new IngestReport();
  const showBar = err.isTTY === true;
  const totalBytes = showBar ? (await listRecordFiles(positionals, new IngestReport())).reduce((n, f) => n + f.bytes, 0) : 0;
  const onBytes = showBar ? progressBar(totalBytes, report, err) : undefined;
  for await (const batch of readAuditFiles(positionals, report, onBytes ? { onBytes } : {})) engine.process(batch);
  if (showBar) err.write("\r\x1b[2K");
  if (report.sources === 0) {
    for (const problem of report.problems) err.write(`kvguard audit: ${formatProblem(problem)}\n`);
    err.write("kvguard audit: no audit log file found in the given paths (.json, .jsonl, .ndjson, .log, .gz)\n");
    return 2;
  }
  const result = engine.finish();
  const findings = sinceMs === undefined ? result.findings : result.findings.filter((f) => Date.parse(f.end) >= sinceMs);
  if (store) await store.put("baseline", baseline.toJSON());

  out.write(format === "json" ? findings.map((f) => JSON.stringify(f) + "\n").join("") : formatTable(findings));
  const benign = Object.values(result.benign).reduce((a, b) => a + b, 0);
  const warmFrom = baseline.startedMs === null ? undefined : new Date(baseline.startedMs + baselineDays * DAY_MS).toISOString();
  err.write(
    `kvguard audit: ${report.sources} files, ${report.records} records (${benign} benign), ${report.malformed} malformed; ` +
      `${findings.length} findings, ${result.suppressed} suppressed${warmFrom ? `; baselines warm from ${warmFrom}` : ""}\n`,
  );
  for (const problem of report.problems) err.write(`  ${formatProblem(problem)}\n`);
  if (report.malformed > report.problems.length) err.write(`  ... and ${report.malformed - report.problems.length} more malformed\n`);
  if (report.malformed > 0) {
    err.write(`kvguard audit: ${report.malformed} malformed line(s) or record(s) skipped; exit code ${EXIT_MALFORMED}\n`);
    return EXIT_MALFORMED;
  }
  return 0;
}
