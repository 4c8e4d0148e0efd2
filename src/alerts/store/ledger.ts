/**
 * @module Small shared state in Table Storage, safe across instances through ETags: the dedup ledger
 * (partition `seen`: when an alert key last went out) and per-channel counters (partition `channel`: the
 * rate-limit window and when the last digest went).
 */
import type { TableClient } from "@azure/data-tables";
import { statusOf } from "../../common/errors.js";
import { hashKey } from "./alertTable.js";

interface SeenEntity {
  partitionKey: string;
  rowKey: string;
  key: string;
  atMs: number;
}

interface ChannelEntity {
  partitionKey: string;
  rowKey: string;
  windowStartMs: number;
  sent: number;
  lastDigestMs: number;
}

export interface ChannelState {
  windowStartMs: number;
  sent: number;
  lastDigestMs: number;
}

const CONFLICT_RETRIES = 5;

export class Ledger {
  constructor(readonly table: TableClient) {}

  /**
   * Claims `key` for an alert now: true when it was not claimed within `windowMs` (the alert goes out),
   * false for a duplicate. Concurrent claims of one key: one wins.
   */
  async claim(key: string, nowMs: number, windowMs: number): Promise<boolean> {
    const rowKey = hashKey(key);
    for (let i = 0; i < CONFLICT_RETRIES; i++) {
      try {
        await this.table.createEntity<SeenEntity>({ partitionKey: "seen", rowKey, key: key.slice(0, 500), atMs: nowMs });
        return true;
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
      const seen = await this.table.getEntity<SeenEntity>("seen", rowKey).catch((error: unknown) => {
        if (statusOf(error) === 404) return undefined;
        throw error;
      });
      if (!seen) continue;
      if (nowMs - seen.atMs < windowMs) return false;
      try {
        await this.table.updateEntity({ partitionKey: "seen", rowKey, key: seen.key, atMs: nowMs }, "Replace", { etag: seen.etag });
        return true;
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
      }
    }
    return false;
  }

  async channel(name: string): Promise<ChannelState & { etag?: string }> {
    try {
      const e = await this.table.getEntity<ChannelEntity>("channel", name);
      return { windowStartMs: e.windowStartMs, sent: e.sent, lastDigestMs: e.lastDigestMs, etag: e.etag };
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
      return { windowStartMs: 0, sent: 0, lastDigestMs: 0 };
    }
  }

  /** Applies `change` to a channel's state, retrying when another instance changed it meanwhile. */
  async updateChannel<T>(name: string, change: (state: ChannelState) => { state: ChannelState; result: T }): Promise<T> {
    for (let i = 0; ; i++) {
      const { etag, ...current } = await this.channel(name);
      const { state, result } = change(current);
      try {
        const entity = { partitionKey: "channel", rowKey: name, ...state };
        if (etag) await this.table.updateEntity(entity, "Replace", { etag });
        else await this.table.createEntity(entity);
        return result;
      } catch (error) {
        const status = statusOf(error);
        if ((status !== 412 && status !== 409) || i >= CONFLICT_RETRIES) throw error;
      }
    }
  }
}
