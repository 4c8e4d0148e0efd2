/**
 * @module Rotation history in Table Storage: one row per run and step, newest first, with an HMAC of the
 * new value (never the value). Partition `<vault>|<name>`; row keys sort newest first.
 */
import type { TableClient } from "@azure/data-tables";

export const HISTORY_TABLE = "kvguardhistory";

export type Step = "policy" | "lock" | "check" | "create" | "set" | "test" | "finish" | "revoke" | "abandon" | "skip" | "reject" | "refresh";

export interface HistoryRow {
  vault: string;
  name: string;
  rotationId: string;
  step: Step;
  outcome: "ok" | "failed" | "skipped";
  trigger?: string;
  message: string;
  at: string;
  version?: string;
  previousVersion?: string;
  /** HMAC-SHA256 of the new value under the vault's history key: proves which value without holding it. */
  valueHmac?: string;
  /** The object's kind when it is not a secret (a key, a certificate). */
  kind?: "key" | "certificate";
  /** What a step acted on beside the vault (an App Service site's resource id for `refresh`). */
  target?: string;
}

// Row keys sort ascending; inverted milliseconds put the newest first.
const MAX_MS = 9_999_999_999_999;

let sequence = 0;

export class History {
  constructor(readonly table: TableClient) {}

  async record(row: HistoryRow): Promise<void> {
    sequence = (sequence + 1) % 10_000;
    const inverted = String(MAX_MS - Date.parse(row.at)).padStart(13, "0");
    await this.table.createEntity({
      partitionKey: `${row.vault}|${row.name}`.toLowerCase(),
      rowKey: `${inverted}-${row.rotationId}-${String(sequence).padStart(4, "0")}`,
      ...Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)),
    });
  }

  /** Newest first, for one secret or (no name) every secret of a vault, or everything. */
  async list(filter: { vault?: string; name?: string; limit?: number } = {}): Promise<HistoryRow[]> {
    const rows: HistoryRow[] = [];
    const queryFilter = filter.vault && filter.name ? `PartitionKey eq '${`${filter.vault}|${filter.name}`.toLowerCase().replace(/'/g, "''")}'` : undefined;
    const entities = this.table.listEntities<HistoryRow>(queryFilter ? { queryOptions: { filter: queryFilter } } : {});
    for await (const entity of entities) {
      if (filter.vault && entity.vault.toLowerCase() !== filter.vault.toLowerCase()) continue;
      rows.push({
        vault: entity.vault,
        name: entity.name,
        rotationId: entity.rotationId,
        step: entity.step,
        outcome: entity.outcome,
        message: entity.message,
        at: entity.at,
        ...(entity.trigger ? { trigger: entity.trigger } : {}),
        ...(entity.version ? { version: entity.version } : {}),
        ...(entity.previousVersion ? { previousVersion: entity.previousVersion } : {}),
        ...(entity.valueHmac ? { valueHmac: entity.valueHmac } : {}),
        ...(entity.kind ? { kind: entity.kind } : {}),
        ...(entity.target ? { target: entity.target } : {}),
      });
    }
    rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    return filter.limit ? rows.slice(0, filter.limit) : rows;
  }
}
