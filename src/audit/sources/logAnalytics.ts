/**
 * @module Audit records from a Log Analytics workspace through `LogsQueryClient`: both the legacy
 * `AzureDiagnostics` table and the resource-specific `AZKVAuditLogs` table. Reads follow ingestion time
 * (`ingestion_time()`), not the record's own time, so a record that reaches the workspace late is read by
 * the scan after it arrives instead of falling behind the watermark; the record's time is searched that far
 * back (the late-arrival allowance). A query returns at most 500,000 rows / 64 MB, so the range is read in
 * slices, and a slice the service truncated is split in two and read again. Partial failures are reported,
 * and the watermark (per workspace, in ingestion time) stops before the first slice that did not answer
 * fully, so the next run retries it.
 */
import { LogsQueryResultStatus, type LogsQueryClient, type LogsTable } from "@azure/monitor-query-logs";
import { z } from "zod";
import { RecordError } from "../parse/fields.js";
import { fromAzkvAuditLogsRow, fromAzureDiagnosticsRow, rowsAsObjects, type Row } from "../parse/logAnalytics.js";
import type { AuditRecord } from "../record.js";
import type { IngestReport } from "./report.js";

export const workspaceWatermark = z.object({ untilMs: z.number() });
export type WorkspaceWatermark = z.infer<typeof workspaceWatermark>;

const MIN_SLICE_MS = 60_000;

/** A slice: rows ingested in [from, to), whose own time is in [timeFrom, to) (ISO texts). */
interface Window {
  timeFrom: string;
  from: string;
  to: string;
}

/** The range filters every query starts with: record time first, so the service can skip old extents. */
function inWindow(w: Window): string {
  return `where TimeGenerated >= datetime(${w.timeFrom}) and TimeGenerated < datetime(${w.to}) | where ingestion_time() >= datetime(${w.from}) and ingestion_time() < datetime(${w.to})`;
}

const TABLES: { name: string; query: (w: Window) => string; parse: (row: Row) => AuditRecord }[] = [
  {
    name: "AzureDiagnostics",
    query: (w) =>
      `AzureDiagnostics | ${inWindow(w)} | where ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent" | order by TimeGenerated asc`,
    parse: fromAzureDiagnosticsRow,
  },
  {
    name: "AZKVAuditLogs",
    query: (w) => `AZKVAuditLogs | ${inWindow(w)} | order by TimeGenerated asc`,
    parse: fromAzkvAuditLogsRow,
  },
];

export interface LogAnalyticsReadOptions {
  workspaceId: string;
  report: IngestReport;
  watermark?: WorkspaceWatermark;
  sinceMs: number;
  nowMs: number;
  /** Length of one query's time range (KVGUARD_AUDIT_QUERY_SLICE_MINUTES). */
  sliceMs: number;
  /** How far behind now reading stops, for rows ingested but not yet queryable (KVGUARD_AUDIT_INGESTION_DELAY_MINUTES). */
  ingestionDelayMs: number;
  /** How long after its own time a record may be ingested and still be read (KVGUARD_AUDIT_LATE_ARRIVAL_HOURS). */
  lateArrivalMs: number;
}

/** Whether a partial error says the result was cut at the row or size limit. */
function truncated(error: { code?: string; details?: { code?: string }[]; message?: string }): boolean {
  const text = [error.code, error.message, ...(error.details ?? []).map((d) => d.code)].join(" ");
  return /E_QUERY_RESULT_SET_TOO_LARGE|ResultSetTooLarge|truncat|limit/i.test(text);
}

/**
 * Reads what the workspace ingested from the watermark (or `sinceMs`) to now minus the ingestion delay.
 * @param client - a LogsQueryClient (its endpoint chooses the cloud, or a local fake in tests)
 * @param options - workspace, watermark, clock, report
 */
export function readLogAnalytics(
  client: LogsQueryClient,
  options: LogAnalyticsReadOptions,
): { records: AsyncIterable<AuditRecord[]>; watermark: WorkspaceWatermark } {
  const start = options.watermark?.untilMs ?? options.sinceMs;
  const end = options.nowMs - options.ingestionDelayMs;
  const watermark: WorkspaceWatermark = { untilMs: start };
  const source = `workspace ${options.workspaceId}`;
  /** False once a slice failed: later slices are read but the watermark stays before the failure. */
  let complete = true;

  async function* slice(table: (typeof TABLES)[number], from: number, to: number): AsyncGenerator<AuditRecord[]> {
    const fromIso = new Date(from).toISOString();
    const toIso = new Date(to).toISOString();
    const timeFrom = new Date(from - options.lateArrivalMs);
    let tables: LogsTable[];
    try {
      const query = table.query({ timeFrom: timeFrom.toISOString(), from: fromIso, to: toIso });
      const result = await client.queryWorkspace(options.workspaceId, query, { startTime: timeFrom, endTime: new Date(to) });
      if (result.status === LogsQueryResultStatus.PartialFailure) {
        if (truncated(result.partialError) && to - from > MIN_SLICE_MS) {
          const mid = from + Math.floor((to - from) / 2);
          yield* slice(table, from, mid);
          yield* slice(table, mid, to);
          return;
        }
        complete = false;
        options.report.partial.push(`${source} ${table.name} ${fromIso}..${toIso}: ${result.partialError.code}: ${result.partialError.message}`);
        tables = result.partialTables;
      } else tables = result.tables;
    } catch (error) {
      complete = false;
      options.report.partial.push(`${source} ${table.name} ${fromIso}..${toIso}: ${(error as Error).message}`);
      return;
    }
    for (const t of tables) {
      const out: AuditRecord[] = [];
      rowsAsObjects(t.columnDescriptors, t.rows as unknown[][]).forEach((row, i) => {
        try {
          out.push(table.parse(row));
          options.report.records++;
        } catch (error) {
          if (!(error instanceof RecordError)) throw error;
          options.report.bad(`${source} ${table.name} ${fromIso}`, i + 1, error.message);
        }
      });
      if (out.length > 0) yield out;
    }
  }

  async function* records(): AsyncGenerator<AuditRecord[]> {
    for (let from = start; from < end; from += options.sliceMs) {
      const to = Math.min(from + options.sliceMs, end);
      options.report.sources++;
      for (const table of TABLES) yield* slice(table, from, to);
      if (complete) watermark.untilMs = to;
    }
  }
  return { records: records(), watermark };
}
