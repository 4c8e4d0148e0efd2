/**
 * @module The outbox: messages a channel could not take, kept in Table Storage (partition `outbox`) with
 * attempts, the last error and when to try again. The timer retries them on every run; a message leaves
 * the outbox only once delivered, so no alert is silently lost.
 */
import type { TableClient } from "@azure/data-tables";
import type { AlertMessage } from "../message.js";
import { packJson, timeKey, unpackJson, type JsonChunks } from "./alertTable.js";

const PARTITION = "outbox";
/** Backoff between runs: 1 min doubling, at most 1 h. */
const MAX_BACKOFF_MS = 3_600_000;

export interface OutboxEntry {
  rowKey: string;
  channel: string;
  message: AlertMessage;
  attempts: number;
  lastError: string;
  createdAt: string;
  nextAttemptAt: string;
}

interface OutboxEntity extends JsonChunks {
  partitionKey: string;
  rowKey: string;
  channel: string;
  attempts: number;
  lastError: string;
  createdAt: string;
  nextAttemptAt: string;
}

export function nextAttemptMs(nowMs: number, attempts: number, retryAfterMs?: number): number {
  return nowMs + Math.max(retryAfterMs ?? 0, Math.min(MAX_BACKOFF_MS, 60_000 * 2 ** Math.max(0, attempts - 1)));
}

export class Outbox {
  constructor(readonly table: TableClient) {}

  async add(channel: string, message: AlertMessage, failure: { attempts: number; error: string; retryAfterMs?: number }, nowMs: number): Promise<void> {
    await this.table.upsertEntity<OutboxEntity>(
      {
        partitionKey: PARTITION,
        rowKey: timeKey(nowMs, `${channel}|${message.id}`),
        channel,
        ...packJson(message),
        attempts: failure.attempts,
        lastError: failure.error.slice(0, 1000),
        createdAt: new Date(nowMs).toISOString(),
        nextAttemptAt: new Date(nextAttemptMs(nowMs, 1, failure.retryAfterMs)).toISOString(),
      },
      "Replace",
    );
  }

  async list(): Promise<OutboxEntry[]> {
    const entries: OutboxEntry[] = [];
    for await (const e of this.table.listEntities<OutboxEntity>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
      entries.push({
        rowKey: e.rowKey,
        channel: e.channel,
        message: unpackJson<AlertMessage>(e),
        attempts: e.attempts,
        lastError: e.lastError,
        createdAt: e.createdAt,
        nextAttemptAt: e.nextAttemptAt,
      });
    }
    return entries;
  }

  async remove(entry: OutboxEntry): Promise<void> {
    await this.table.deleteEntity(PARTITION, entry.rowKey);
  }

  async failedAgain(entry: OutboxEntry, failure: { attempts: number; error: string; retryAfterMs?: number }, nowMs: number): Promise<void> {
    const attempts = entry.attempts + failure.attempts;
    await this.table.updateEntity(
      {
        partitionKey: PARTITION,
        rowKey: entry.rowKey,
        attempts,
        lastError: failure.error.slice(0, 1000),
        nextAttemptAt: new Date(nextAttemptMs(nowMs, attempts, failure.retryAfterMs)).toISOString(),
      },
      "Merge",
    );
  }
}
