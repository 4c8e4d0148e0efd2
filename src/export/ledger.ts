/**
 * @module The export's durable state in Table Storage (`kvguardexport`), per sink: a cursor per source (the
 * `Timestamp` up to which everything was sent) and a marker per item sent or refused. The cursor moves only
 * after the items before it went out, so an outage loses nothing; the next run reads again from the cursor
 * (less an overlap, for writes still landing) and the markers keep what was already sent from going twice.
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import { statusOf } from "../common/errors.js";
import { hashKey } from "../alerts/store/alertTable.js";
import type { SourceName } from "./records.js";

export const EXPORT_TABLE = "kvguardexport";

/** Table transactions take at most 100 actions, all of one partition. */
const TRANSACTION_SIZE = 100;
/** Point reads of markers at once. */
const LOOKUPS = 16;

interface CursorEntity {
  partitionKey: string;
  rowKey: string;
  sinceMs: number;
}

type MarkerEntity = {
  partitionKey: string;
  rowKey: string;
  key: string;
  state: "sent" | "refused";
  reason?: string;
  atMs: number;
};

export class ExportLedger {
  #created: Promise<unknown> | undefined;

  constructor(
    readonly table: TableClient,
    readonly sink: string,
  ) {}

  #ensure(): Promise<unknown> {
    this.#created ??= this.table.createTable();
    return this.#created;
  }

  get #markers(): string {
    return `sent-${this.sink}`;
  }

  /** Where reading `source` resumes (0: from the beginning). */
  async cursor(source: SourceName): Promise<number> {
    await this.#ensure();
    try {
      return (await this.table.getEntity<CursorEntity>(`cursor-${this.sink}`, source)).sinceMs;
    } catch (error) {
      if (statusOf(error) === 404) return 0;
      throw error;
    }
  }

  async advance(source: SourceName, sinceMs: number): Promise<void> {
    await this.table.upsertEntity<CursorEntity>({ partitionKey: `cursor-${this.sink}`, rowKey: source, sinceMs }, "Replace");
  }

  /** The keys among `keys` already sent or refused. */
  async done(keys: readonly string[]): Promise<Set<string>> {
    await this.#ensure();
    const found = new Set<string>();
    for (let i = 0; i < keys.length; i += LOOKUPS) {
      await Promise.all(
        keys.slice(i, i + LOOKUPS).map(async (key) => {
          try {
            await this.table.getEntity(this.#markers, hashKey(key));
            found.add(key);
          } catch (error) {
            if (statusOf(error) !== 404) throw error;
          }
        }),
      );
    }
    return found;
  }

  /** Notes items as sent, or refused with why (they are not tried again). */
  async mark(items: readonly { key: string; refused?: string }[], nowMs: number): Promise<void> {
    const unique = [...new Map(items.map((item) => [hashKey(item.key), item])).entries()];
    for (let i = 0; i < unique.length; i += TRANSACTION_SIZE) {
      const actions = unique.slice(i, i + TRANSACTION_SIZE).map(([rowKey, item]): TransactionAction => {
        const entity: MarkerEntity = {
          partitionKey: this.#markers,
          rowKey,
          key: item.key.slice(0, 1000),
          state: item.refused === undefined ? "sent" : "refused",
          ...(item.refused === undefined ? {} : { reason: item.refused.slice(0, 1000) }),
          atMs: nowMs,
        };
        return ["upsert", entity, "Replace"];
      });
      await this.table.submitTransaction(actions);
    }
  }
}
