/**
 * @module `kvguard consumers VAULT/NAME [--key] [--days N] [--json]`: the principals the audit log shows
 * reading a secret (or key) in the window, with the versions they were served. Principals, app ids and
 * caller IPs come from records anyone with access to the log can forge: every line is escaped.
 */
import { parseArgs } from "node:util";
import { DAY_MS } from "../common/duration.js";
import { lineWriter } from "../common/logText.js";
import { readConsumers, type Consumer, type ConsumerReport } from "../audit/consumers.js";
import { createApp } from "../app/index.js";
import { formatProblem } from "../audit/sources/report.js";
import { EXIT_MALFORMED } from "./auditCommand.js";

export const consumersUsage = `kvguard consumers VAULT/NAME [--key] [--days N] [--json]
  --key       NAME is a key (reads are gets and cryptographic operations)
  --days N    how far back to read (default KVGUARD_CONSUMER_WINDOW, 14 days)
  --json      one JSON document instead of a table
Exit codes: 0 read cleanly; 2 bad arguments, settings, or no audit source configured; 3 some records were
malformed and skipped (the consumers cover the rest).`;

/** Exit code when no audit source is configured (same as a usage error: nothing could be read). */
export const EXIT_NO_SOURCE = 2;

const short = (version: string) => version.slice(0, 8);

function who(c: Consumer): string {
  return c.principal.upn ?? c.principal.appid ?? c.principal.oid ?? "anonymous";
}

export function consumerLines(report: ConsumerReport): string[] {
  const { target } = report;
  const head = `${target.vault}/${target.name} (${target.type}): ${report.consumers.length} consumers from ${report.since} to ${report.until}`;
  if (report.consumers.length === 0) return [head, "no reads in the window"];
  const rows = report.consumers.map((c) => [
    who(c),
    c.principal.oid ?? "-",
    c.principal.appid ?? "-",
    String(c.reads),
    c.firstRead.slice(0, 19) + "Z",
    c.lastRead.slice(0, 19) + "Z",
    short(c.lastVersion),
    Object.entries(c.versions)
      .map(([v, x]) => `${short(v)}:${x.reads}`)
      .join(","),
    Object.entries(c.ips)
      .map(([ip, n]) => `${ip}:${n}`)
      .join(","),
  ]);
  const header = ["PRINCIPAL", "OID", "APPID", "READS", "FIRST READ", "LAST READ", "LAST VERSION", "VERSIONS", "IPS"];
  const widths = header.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [head, line(header), ...rows.map(line)];
}

export async function consumersCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { key: { type: "boolean" }, days: { type: "string" }, json: { type: "boolean" } },
  });
  const [vault, name, extra] = (positionals[0] ?? "").split("/");
  if (!vault || !name || extra !== undefined || positionals.length > 1) throw new Error(`name the object as VAULT/NAME\n${consumersUsage}`);
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new Error(`--days must be a whole number of days (1 or more), got ${values.days}`);

  const app = createApp(process.env);
  const config = await app.config();
  const { auditSources } = await import("../app/audit.js");
  // The app's storage is asked for only when the archive is on AzureWebJobsStorage.
  const sources = await auditSources(config, { credential: await app.credential(), storage: () => app.storage() });
  const print = lineWriter(out);
  const warn = lineWriter(err);
  if (!sources.archive && !sources.folder && !sources.logs) {
    warn(
      "kvguard consumers: no audit source is configured, so no reads are known. Set KVGUARD_AUDIT_FOLDER, KVGUARD_AUDIT_ARCHIVE_ACCOUNT or KVGUARD_AUDIT_WORKSPACE_IDS (docs/audit.md)",
    );
    return EXIT_NO_SOURCE;
  }
  // kvguard's clock: the local Key Vault's against the local stack, so a moved vault clock moves the window.
  const nowMs = (await app.clock()).nowMs();
  const windowMs = days === undefined ? config.audit.consumerWindowMs : days * DAY_MS;
  const target = { vault: vault.toLowerCase(), type: values.key ? ("keys" as const) : ("secrets" as const), name: name.toLowerCase() };
  const report = await readConsumers(sources, target, { sinceMs: nowMs - windowMs, nowMs });

  if (values.json) print(JSON.stringify(report));
  else for (const line of consumerLines(report)) print(line);
  const { ingest } = report;
  warn(`kvguard consumers: ${ingest.sources} sources, ${ingest.records} records, ${ingest.malformed} malformed`);
  for (const partial of ingest.partial) warn(`  partial: ${partial}`);
  for (const problem of ingest.problems) warn(`  ${formatProblem(problem)}`);
  if (ingest.malformed > ingest.problems.length) warn(`  ... and ${ingest.malformed - ingest.problems.length} more malformed`);
  return ingest.malformed > 0 || ingest.partial.length > 0 ? EXIT_MALFORMED : 0;
}
