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
  if (t.kind === "storage-account") return `storage|${t.id}`.toLowerCase();
  if (t.kind === "entra-app") return `entra|${t.application}`.toLowerCase();
  return undefined;
}

export class TargetLedger {
  constructor(readonly table: TableClient) {}

  #row(key: string) {
    return { partitionKey: "target", rowKey: createHash("sha256").update(key).digest("hex") };
  }

  /** When the target was last rotated (ms), if ever. */
  async lastRotated(key: string): Promise<number | undefined> {
    const { partitionKey, rowKey } = this.#row(key);
    try {
      return Date.parse((await this.table.getEntity<{ at: string }>(partitionKey, rowKey)).at);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async rotated(key: string, at: string): Promise<void> {
    await this.table.upsertEntity({ ...this.#row(key), key, at }, "Replace");
  }
}
