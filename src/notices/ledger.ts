/**
 * @module What kvguard has announced, in its own table (`kvguardnotices`): one row per object version and
 * stage, and one per certificate version it prepared a CSR for. A row is created `claimed` (one conditional
 * create: of two sweeps at once, one wins), then marked `done` once its work is done (the alert dispatched,
 * the pending operation made). A claim left by a sweep that died is taken over after a lease, so a kill loses
 * no notice and a restart repeats none. Notice rows carry the notice: the export reads them (records.ts).
 */
import type { TableClient } from "@azure/data-tables";
import { hashKey } from "../alerts/store/alertTable.js";
import { statusOf } from "../common/errors.js";
import type { Notice } from "./notice.js";

export const NOTICES_TABLE = "kvguardnotices";

/** How long a claim holds before another sweep may take it over (the claimer died). */
export const CLAIM_LEASE_MS = 5 * 60_000;

export type Claim =
  /** Do the work, then `done()`. */
  | { state: "claimed"; done(extra?: Record<string, string | number>): Promise<void> }
  /** Done already, by this or another sweep. */
  | { state: "done" }
  /** Another sweep holds it now. */
  | { state: "busy" };

interface Row {
  partitionKey: string;
  rowKey: string;
  key: string;
  state: "claimed" | "done";
  claimedMs: number;
  [field: string]: string | number;
}

/** Notice rows hold the notice's JSON under this field. */
const NOTICE_FIELD = "notice";

export class NoticeLedger {
  constructor(readonly table: TableClient) {}

  /** Claims `key` (within the vault's partition) at `nowMs`; `fields` are kept on the row. */
  async claim(vault: string, key: string, nowMs: number, fields: Record<string, string | number> = {}): Promise<Claim> {
    const row: Row = {
      partitionKey: hashKey(vault.toLowerCase()),
      rowKey: hashKey(key.toLowerCase()),
      key: key.slice(0, 1000),
      state: "claimed",
      claimedMs: nowMs,
      ...fields,
    };
    const claimed = (): Claim => ({
      state: "claimed",
      done: async (extra = {}) => void (await this.table.upsertEntity({ ...row, ...extra, state: "done" }, "Replace")),
    });
    try {
      await this.table.createEntity(row);
      return claimed();
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    const existing = await this.table.getEntity<Row>(row.partitionKey, row.rowKey);
    if (existing.state === "done") return { state: "done" };
    if (nowMs - Number(existing.claimedMs) < CLAIM_LEASE_MS) return { state: "busy" };
    try {
      await this.table.updateEntity(row, "Replace", { etag: existing.etag });
    } catch (error) {
      // Another sweep took the lapsed claim over first.
      if (statusOf(error) === 412 || statusOf(error) === 409) return { state: "busy" };
      throw error;
    }
    return claimed();
  }

  /** Claims one notice (its object version and stage); the row keeps the notice for the export. */
  claimNotice(notice: Notice, nowMs: number): Promise<Claim> {
    return this.claim(notice.vault, noticeKey(notice), nowMs, { kind: "notice", [NOTICE_FIELD]: JSON.stringify(notice) });
  }
}

/** A notice's identity: object version and stage. */
export function noticeKey(n: Pick<Notice, "objectType" | "name" | "version" | "stage">): string {
  return `notice|${n.objectType}|${n.name}|${n.version}|${n.stage}`.toLowerCase();
}

/** The notice a done notice row holds, or undefined for other rows. */
export function noticeOfRow(row: Record<string, unknown>): Notice | undefined {
  if (row.kind !== "notice" || row.state !== "done" || typeof row[NOTICE_FIELD] !== "string") return undefined;
  return JSON.parse(row[NOTICE_FIELD]) as Notice;
}
