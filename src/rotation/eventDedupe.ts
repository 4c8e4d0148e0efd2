/**
 * @module Which Key Vault events already became rotation jobs. Event Grid delivers at least once and
 * redelivers what failed, and Key Vault raises two events per version (near expiry, then expired): one job per
 * object version is enough, and none may be lost. Each event is recorded as two rows of the vault's partition
 * (its id, and its object version), written in one transaction as `claimed`, then marked `enqueued` once its
 * job is in the queue. A later delivery finding either row `enqueued` is a duplicate; finding them only
 * `claimed`, it knows the delivery that claimed them failed before enqueuing (storage failed, the process
 * died) and enqueues the job itself. Two deliveries of one event at the very same moment can thus both
 * enqueue; the second job then finds the version already rotated and does nothing.
 */
import { createHash } from "node:crypto";
import type { TableClient, TransactionAction } from "@azure/data-tables";
import type { Clock } from "../common/clock.js";
import { statusOf } from "../common/errors.js";

export type EventClaim =
  /** First delivery: enqueue the job, then `enqueued()`. */
  | "new"
  /** An earlier delivery claimed the event and never enqueued its job: enqueue it, then `enqueued()`. */
  | "unfinished"
  /** The job of this event, or of another event for this object version, is enqueued already. */
  | "duplicate";

type DedupeRow = {
  partitionKey: string;
  rowKey: string;
  at: string;
  state: "claimed" | "enqueued";
};

/** A table key for any text: escaped where keys refuse characters (`/ \ # ?`, controls), hashed when long. */
function tableKey(text: string): string {
  const escaped = encodeURIComponent(text);
  return escaped.length <= 400 ? escaped : `sha256-${createHash("sha256").update(text).digest("hex")}`;
}

export class EventDedupe {
  constructor(
    readonly table: TableClient,
    readonly clock: Clock,
  ) {}

  #rows(vault: string, eventId: string, objectVersion: string, state: DedupeRow["state"]): DedupeRow[] {
    const at = new Date(this.clock.nowMs()).toISOString();
    const partitionKey = tableKey(vault.toLowerCase());
    return [`id|${tableKey(eventId)}`, `version|${tableKey(objectVersion.toLowerCase())}`].map((rowKey) => ({ partitionKey, rowKey, at, state }));
  }

  /**
   * Claims an event and its object version.
   * @param objectVersion - `kind|name|version` of the object the event is about
   */
  async claim(vault: string, eventId: string, objectVersion: string): Promise<EventClaim> {
    const rows = this.#rows(vault, eventId, objectVersion, "claimed");
    try {
      await this.table.submitTransaction(rows.map((row): TransactionAction => ["create", row]));
      return "new";
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    const seen = await Promise.all(
      rows.map((row) =>
        this.table.getEntity<DedupeRow>(row.partitionKey, row.rowKey).catch((error: unknown) => {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }),
      ),
    );
    if (seen.some((row) => row?.state === "enqueued")) return "duplicate";
    await this.table.submitTransaction(rows.map((row): TransactionAction => ["upsert", row, "Replace"]));
    return "unfinished";
  }

  /** Marks the event and its object version as enqueued: later deliveries are duplicates. */
  async enqueued(vault: string, eventId: string, objectVersion: string): Promise<void> {
    await this.table.submitTransaction(this.#rows(vault, eventId, objectVersion, "enqueued").map((row): TransactionAction => ["upsert", row, "Replace"]));
  }
}
