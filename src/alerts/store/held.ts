/**
 * @module Alerts held back for a summary (partition `held`): by a digest, quiet hours, or a burst over the
 * rate limit. The timer sends each channel's held alerts of one reason as one message when that reason
 * lapses, then removes them.
 */
import type { TableClient } from "@azure/data-tables";
import type { Alert } from "../alert.js";
import type { SummaryReason } from "../message.js";
import { packJson, timeKey, unpackJson, type JsonChunks } from "./alertTable.js";

const PARTITION = "held";

export interface HeldAlert {
  rowKey: string;
  channel: string;
  reason: SummaryReason;
  alert: Alert;
  heldAtMs: number;
}

interface HeldEntity extends JsonChunks {
  partitionKey: string;
  rowKey: string;
  channel: string;
  reason: SummaryReason;
  heldAtMs: number;
}

export class HeldAlerts {
  constructor(readonly table: TableClient) {}

  async hold(channel: string, reason: SummaryReason, alert: Alert, nowMs: number): Promise<void> {
    await this.table.upsertEntity<HeldEntity>(
      { partitionKey: PARTITION, rowKey: timeKey(nowMs, `${channel}|${alert.id}`), channel, reason, ...packJson(alert), heldAtMs: nowMs },
      "Replace",
    );
  }

  async list(): Promise<HeldAlert[]> {
    const held: HeldAlert[] = [];
    for await (const e of this.table.listEntities<HeldEntity>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
      held.push({ rowKey: e.rowKey, channel: e.channel, reason: e.reason, alert: unpackJson<Alert>(e), heldAtMs: e.heldAtMs });
    }
    return held;
  }

  async remove(held: readonly HeldAlert[]): Promise<void> {
    for (const h of held) await this.table.deleteEntity(PARTITION, h.rowKey);
  }
}
