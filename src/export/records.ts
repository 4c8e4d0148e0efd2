/**
 * @module What the export reads: kvguard's own records, never the engine. Rotation history rows and stored
 * findings come from their tables, changed since a time (Table Storage's `Timestamp`, set when a row is
 * written); compliance report snapshots from the report store. Each record has a key that names it for good.
 */
import { odata, type TableClient } from "@azure/data-tables";
import type { Finding } from "../audit/finding.js";
import type { ReportStore } from "../compliance/report/store.js";
import type { HistoryRow } from "../rotation/history.js";
import { noticeOfRow } from "../notices/ledger.js";
import type { Notice } from "../notices/notice.js";

export type ExportRecord =
  | { source: "history"; key: string; changedMs: number; row: HistoryRow }
  | { source: "findings"; key: string; changedMs: number; finding: Finding }
  | { source: "reports"; key: string; changedMs: number; name: string; text: string }
  | { source: "notices"; key: string; changedMs: number; notice: Notice };

export type SourceName = ExportRecord["source"];

/** A record that could not be read (a row another version wrote, a snapshot that is not JSON): counted, skipped. */
export interface Unreadable {
  source: SourceName;
  key: string;
  reason: string;
}

export interface RecordSource {
  name: SourceName;
  /** Records changed at or after `sinceMs`, oldest first. */
  read(sinceMs: number, unreadable: Unreadable[]): Promise<ExportRecord[]>;
}

interface Stamped {
  partitionKey?: string;
  rowKey?: string;
  timestamp?: string;
}

async function changedRows<T extends object>(table: TableClient, sinceMs: number): Promise<(T & Stamped)[]> {
  const rows: (T & Stamped)[] = [];
  const filter = sinceMs > 0 ? odata`Timestamp ge ${new Date(sinceMs)}` : undefined;
  try {
    for await (const row of table.listEntities<T>(filter ? { queryOptions: { filter } } : {})) rows.push(row);
  } catch (error) {
    // A table nothing has written yet: nothing to export.
    if ((error as { statusCode?: number }).statusCode === 404) return [];
    throw error;
  }
  return rows;
}

const stampOf = (row: Stamped) => Date.parse(row.timestamp ?? "") || 0;
const byTime = (a: ExportRecord, b: ExportRecord) => a.changedMs - b.changedMs || (a.key < b.key ? -1 : 1);

export function historySource(table: TableClient): RecordSource {
  return {
    name: "history",
    async read(sinceMs, unreadable) {
      const records: ExportRecord[] = [];
      for (const row of await changedRows<HistoryRow>(table, sinceMs)) {
        const key = `history|${row.partitionKey}|${row.rowKey}`;
        if (typeof row.vault !== "string" || typeof row.name !== "string" || typeof row.step !== "string" || typeof row.at !== "string") {
          unreadable.push({ source: "history", key, reason: "not a history row (vault, name, step or at missing)" });
          continue;
        }
        const { partitionKey: _p, rowKey: _r, timestamp: _t, etag: _e, ...fields } = row as HistoryRow & Stamped & { etag?: string };
        records.push({ source: "history", key, changedMs: stampOf(row), row: fields });
      }
      return records.sort(byTime);
    },
  };
}

export function findingSource(table: TableClient): RecordSource {
  return {
    name: "findings",
    async read(sinceMs, unreadable) {
      const records: ExportRecord[] = [];
      for (const row of await changedRows<{ json: string }>(table, sinceMs)) {
        const key = `finding|${row.partitionKey}|${row.rowKey}`;
        try {
          records.push({ source: "findings", key, changedMs: stampOf(row), finding: JSON.parse(row.json) as Finding });
        } catch {
          unreadable.push({ source: "findings", key, reason: "the finding's json is not JSON" });
        }
      }
      return records.sort(byTime);
    },
  };
}

/** The time a snapshot's name holds: `snapshots/all/2026-11-27T06-00-00Z.json` → 2026-11-27T06:00:00Z. */
function snapshotTimeMs(name: string): number | undefined {
  const m = /(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z\.json$/.exec(name);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`) : undefined;
}

/**
 * Report snapshots (`snapshots/<scope>/<time>.json`) made at or after `sinceMs`, by the time in their name,
 * so only new ones are downloaded. A folder store lists one level at a time, so scopes are listed in turn.
 */
export function reportSource(store: ReportStore): RecordSource {
  return {
    name: "reports",
    async read(sinceMs, unreadable) {
      const names: string[] = [];
      for (const entry of await store.list("snapshots/")) {
        if (entry.endsWith(".json")) names.push(entry);
        else names.push(...(await store.list(`${entry.replace(/\/$/, "")}/`)));
      }
      const records: ExportRecord[] = [];
      for (const name of names) {
        const changedMs = snapshotTimeMs(name);
        if (changedMs === undefined || changedMs < sinceMs) continue;
        try {
          records.push({ source: "reports", key: `report|${name}`, changedMs, name, text: await store.read(name) });
        } catch (error) {
          unreadable.push({ source: "reports", key: `report|${name}`, reason: (error as Error).message.split("\n")[0]!.slice(0, 200) });
        }
      }
      return records.sort(byTime);
    },
  };
}

/** The expiry notices the rotation sweep announced (table kvguardnotices): done notice rows. */
export function noticeSource(table: TableClient): RecordSource {
  return {
    name: "notices",
    async read(sinceMs, unreadable) {
      const records: ExportRecord[] = [];
      for (const row of await changedRows<Record<string, unknown>>(table, sinceMs)) {
        const key = `notice|${row.partitionKey}|${row.rowKey}`;
        try {
          const notice = noticeOfRow(row);
          if (notice) records.push({ source: "notices", key, changedMs: stampOf(row), notice });
        } catch {
          unreadable.push({ source: "notices", key, reason: "the notice's json is not JSON" });
        }
      }
      return records.sort(byTime);
    },
  };
}
