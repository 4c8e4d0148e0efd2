/**
 * @module The export run: for each sink and each source it takes, read the records changed since the sink's
 * cursor (less an overlap), turn them into the sink's items, drop those the ledger has, send the rest in
 * order, batch by batch, marking each batch once it is accepted, then move the cursor past what went out.
 * A failed call stops that source for this run with the cursor before it: the next run resends from there.
 * Refused items (secret guard, schema, size) are marked with why, counted and never retried.
 */
import type { Clock } from "../common/clock.js";
import { ensureError, statusOf } from "../common/errors.js";
import type { ExportLedger } from "./ledger.js";
import type { RecordSource, SourceName, Unreadable } from "./records.js";
import type { ExportSink } from "./sinks/sink.js";
import type { ExportOutput } from "./toEvents.js";

/** Rows whose Timestamp is a little older than the cursor may still be landing when it moved: read them again. */
export const OVERLAP_MS = 10 * 60_000;

export interface SinkReport {
  sink: string;
  sent: number;
  /** Items already sent by an earlier run (read again in the overlap). */
  skipped: number;
  refused: { key: string; reason: string }[];
  unreadable: Unreadable[];
  /** Sources this run could not finish, and why; their items wait for the next run. */
  failed: { source: SourceName; error: string; status?: number }[];
}

export interface ExporterDeps {
  sources: readonly RecordSource[];
  sinks: readonly { sink: ExportSink<unknown>; ledger: ExportLedger }[];
  clock: Clock;
  /** Default OVERLAP_MS. */
  overlapMs?: number;
}

type Item = { key: string; changedMs: number; item: unknown };

async function exportSource(
  sink: ExportSink<unknown>,
  ledger: ExportLedger,
  source: RecordSource,
  report: SinkReport,
  run: { nowMs: number; overlapMs: number },
): Promise<void> {
  const { nowMs } = run;
  const since = await ledger.cursor(source.name);
  const records = await source.read(Math.max(0, since - run.overlapMs), report.unreadable);
  const outputs: ExportOutput<unknown>[] = records.flatMap((record) => sink.outputs(record));
  const done = await ledger.done(outputs.map((o) => o.key));
  report.skipped += outputs.filter((o) => done.has(o.key)).length;
  const fresh = outputs.filter((o) => !done.has(o.key));
  const refused: { key: string; refused: string }[] = [];
  const items: Item[] = [];
  for (const output of fresh) {
    const why = "refused" in output ? output.refused : sink.oversize(output.item);
    if (why === undefined) items.push(output as Item);
    else refused.push({ key: output.key, refused: why });
  }
  if (refused.length) {
    await ledger.mark(refused, nowMs);
    report.refused.push(...refused.map((r) => ({ key: r.key, reason: r.refused })));
  }
  // Batches keep the items' order, so everything before a failed batch went out.
  const batches = sink.batches(items.map((i) => i.item));
  let next = 0;
  for (const batch of batches) {
    const sent = items.slice(next, next + batch.length);
    try {
      await sink.send(batch);
    } catch (error) {
      const status = statusOf(error);
      report.failed.push({ source: source.name, error: ensureError(error).message.split("\n")[0]!.slice(0, 500), ...(status ? { status } : {}) });
      // Resume at the first item not sent: everything before it went out or was refused.
      if (items[next]!.changedMs !== since) await ledger.advance(source.name, items[next]!.changedMs);
      return;
    }
    await ledger.mark(sent, nowMs);
    report.sent += sent.length;
    next += batch.length;
  }
  const newest = records.reduce((max, r) => Math.max(max, r.changedMs), since);
  if (newest !== since) await ledger.advance(source.name, newest);
}

export class Exporter {
  constructor(readonly deps: ExporterDeps) {}

  /** One run over every sink; a sink's failure never stops another. */
  async run(): Promise<SinkReport[]> {
    const nowMs = this.deps.clock.nowMs();
    const reports: SinkReport[] = [];
    for (const { sink, ledger } of this.deps.sinks) {
      const report: SinkReport = { sink: sink.name, sent: 0, skipped: 0, refused: [], unreadable: [], failed: [] };
      for (const source of this.deps.sources.filter((s) => sink.sources.includes(s.name))) {
        try {
          await exportSource(sink, ledger, source, report, { nowMs, overlapMs: this.deps.overlapMs ?? OVERLAP_MS });
        } catch (error) {
          // Reading the source or the ledger failed: nothing moved, the next run tries again.
          const status = statusOf(error);
          report.failed.push({ source: source.name, error: ensureError(error).message.split("\n")[0]!.slice(0, 500), ...(status ? { status } : {}) });
        }
      }
      reports.push(report);
    }
    return reports;
  }
}

/** One line per sink, for logs and the CLI. */
export function reportLine(report: SinkReport): string {
  const parts = [`${report.sent} sent`, `${report.skipped} already sent`, `${report.refused.length} refused`];
  if (report.unreadable.length) parts.push(`${report.unreadable.length} unreadable records`);
  for (const f of report.failed) parts.push(`${f.source} stopped: ${f.error}`);
  return `export ${report.sink}: ${parts.join(", ")}`;
}
