/**
 * @module The doctor's report: a line per check (status, name, what it found) with the fix under each
 * failure and a count at the end, or one JSON object. Every line passes the secret scrubber with the
 * settings, as `config check` does, so an SDK message quoting a connection string shows none of it.
 */
import { scrubSecrets } from "../config/redact.js";
import type { CheckResult } from "./check.js";

export interface DoctorReport {
  ok: boolean;
  counts: { ok: number; failed: number; skipped: number };
  checks: CheckResult[];
}

export function doctorReport(checks: CheckResult[]): DoctorReport {
  const count = (status: CheckResult["status"]) => checks.filter((c) => c.status === status).length;
  const counts = { ok: count("ok"), failed: count("failed"), skipped: count("skipped") };
  return { ok: counts.failed === 0, counts, checks };
}

const LABEL = { ok: "ok     ", failed: "FAILED ", skipped: "skipped" } as const;

export function formatText(report: DoctorReport, env: Readonly<Record<string, string | undefined>>): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.flatMap((c) => [`${LABEL[c.status]} ${c.name.padEnd(width)}  ${c.detail}`, ...(c.fix ? [`${" ".repeat(8)}fix: ${c.fix}`] : [])]);
  lines.push(`doctor: ${report.counts.ok} ok, ${report.counts.failed} failed, ${report.counts.skipped} skipped`);
  return lines.map((line) => scrubSecrets(line, env)).join("\n") + "\n";
}

export function formatJson(report: DoctorReport, env: Readonly<Record<string, string | undefined>>): string {
  return scrubSecrets(JSON.stringify(report), env) + "\n";
}
