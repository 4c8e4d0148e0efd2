/**
 * @module When each target (a database login at its server, a storage account, an Entra application) was last
 * rotated, whichever secret rotated it: scheduled and event rotations of one target are at most once per
 * KVGUARD_MIN_ROTATION_PERIOD, so many secrets (or tags) pointing at one storage account cannot regenerate its
 * keys every sweep. Rows are keyed by a hash of the target, in kvguard's own table.
 */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { statusOf } from "../common/errors.js";
import type { Target } from "./bindings.js";

export const TARGETS_TABLE = "kvguardtargets";

/** The rate-limited identity of a target; a managing credential is not one (it is used, not rotated). */
export function targetKey(t: Target): string | undefined {
  if (t.kind === "host") return t.login === undefined ? undefined : `db|${t.host}|${t.port}|${t.login}`.toLowerCase();
  // A storage account is one target whichever rotator (storage-account or key-pair) reaches it.
  if (t.kind === "storage-account" || t.kind === "resource") return `resource|${t.id}`.toLowerCase();
  if (t.kind === "entra-app") return `entra|${t.application}`.toLowerCase();
  return undefined;
}

/** A claim on a target for one rotation: released (the previous time restored) when the rotation fails. */
export interface TargetClaim {
  release(): Promise<void>;
}

export class TargetLedger {
  constructor(readonly table: TableClient) {}

  #row(key: string) {
    return { partitionKey: "target", rowKey: createHash("sha256").update(key).digest("hex") };
  }

  /**
   * Claims a target for a scheduled or event rotation at `nowMs`, unless it was rotated less than `periodMs`
   * ago: then the time it was. The claim is one conditional write (create, or replace at the etag read), so of
   * two rotations of one target at once only one gets it.
   */
  async claim(key: string, nowMs: number, periodMs: number): Promise<TargetClaim | { limitedSince: number }> {
    const row = this.#row(key);
    let existing: { at: string; etag: string } | undefined;
    try {
      existing = await this.table.getEntity<{ at: string }>(row.partitionKey, row.rowKey);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    if (existing && nowMs - Date.parse(existing.at) < periodMs) return { limitedSince: Date.parse(existing.at) };
    const entity = { ...row, key, at: new Date(nowMs).toISOString() };
    try {
      if (existing) await this.table.updateEntity(entity, "Replace", { etag: existing.etag });
      else await this.table.createEntity(entity);
    } catch (error) {
      // Another rotation claimed it between the read and the write.
      if (statusOf(error) === 409 || statusOf(error) === 412) return { limitedSince: nowMs };
      throw error;
    }
    const previous = existing?.at;
    return {
      release: async () => {
        if (previous) await this.table.upsertEntity({ ...row, key, at: previous }, "Replace");
        else await this.table.deleteEntity(row.partitionKey, row.rowKey).catch(() => undefined);
      },
    };
  }

  /** Records a rotation of the target (a manual one too: it starts the period). */
  async rotated(key: string, at: string): Promise<void> {
    await this.table.upsertEntity({ ...this.#row(key), key, at }, "Replace");
  }
}
