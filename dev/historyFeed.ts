/**
 * @module What was rotated and why, as it happens: the local stack follows the rotation history table (the
 * one `kvguard history` reads) and turns each telling row into a console line. Following the table rather
 * than the engine shows rotations of every trigger, including `kvguard rotate` from another terminal. History
 * holds no secret value, so neither do these lines.
 */
import { odata, type TableClient } from "@azure/data-tables";
import type { HistoryRow } from "../src/rotation/history.js";

/** Rows written this long before a poll are looked at again: clocks and inserts race a little. */
const OVERLAP_MS = 5000;

function short(version: string | undefined): string {
  return version ? version.slice(0, 8) : "?";
}

/** The console line for a row, or undefined for the routine steps (check, create, set, test succeeded). */
export function describeRow(row: HistoryRow): string | undefined {
  const object = `${row.vault}/${row.name}`;
  const when = `vault clock ${row.at.slice(0, 10)}`;
  const by = row.trigger ? ` by ${row.trigger}` : "";
  if (row.outcome === "failed") return `FAILED    ${object}${by}: ${row.step}: ${row.message}`;
  if (row.outcome === "skipped") return `skipped   ${object}${by}: ${row.message}`;
  switch (row.step) {
    case "finish":
      if (row.kind === "certificate" && row.previousVersion) {
        return `RENEWED   ${object}${by}: certificate near expiry; kvguard had Key Vault issue version ${short(row.version)} from its policy, replacing ${short(row.previousVersion)} (${when})`;
      }
      return row.previousVersion
        ? `ROTATED   ${object}${by}: version ${short(row.previousVersion)} → ${short(row.version)} (${when})`
        : `finished  ${object}${by}: ${row.message}`;
    case "revoke":
      return `REVOKED   ${object}: ${row.message} (${when})`;
    case "refresh":
      return `REFRESHED ${object}: ${row.message}`;
    case "abandon":
      return `abandoned ${object}: ${row.message}`;
    default:
      return undefined;
  }
}

export interface HistoryFeed {
  stop(): Promise<void>;
}

/** Calls `onRow` once for each history row written from now on, in the order written. */
export function followHistory(table: TableClient, onRow: (row: HistoryRow) => void, intervalMs = 500): HistoryFeed {
  const seen = new Map<string, number>();
  const startedMs = Date.now();
  let since = startedMs;
  let stopped = false;

  const poll = async () => {
    const from = since - OVERLAP_MS;
    const started = Date.now();
    const fresh: (HistoryRow & { key: string; writtenMs: number })[] = [];
    const entities = table.listEntities<HistoryRow>({ queryOptions: { filter: odata`Timestamp ge ${new Date(from)}` } });
    for await (const entity of entities) {
      const key = `${entity.partitionKey}/${entity.rowKey}`;
      if (seen.has(key)) continue;
      const writtenMs = entity.timestamp ? Date.parse(entity.timestamp) : Date.now();
      seen.set(key, writtenMs);
      // The look-back must not replay what an earlier run wrote.
      if (writtenMs >= startedMs) fresh.push({ ...entity, key, writtenMs });
    }
    for (const [key, writtenMs] of seen) if (writtenMs < from - OVERLAP_MS) seen.delete(key);
    fresh.sort((a, b) => a.writtenMs - b.writtenMs || a.key.localeCompare(b.key));
    for (const row of fresh) onRow(row);
    since = started;
  };

  const loop = (async () => {
    while (!stopped) {
      // Storage briefly unreachable: the next poll looks back far enough to catch up.
      await poll().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
