/**
 * @module The audit state store on Azure Table Storage (Azurite locally). A value is gzipped JSON split
 * into binary chunks (a property holds at most 64 KB), written under a new generation and then pointed to
 * by the key's manifest row, so a reader never sees half of an update; the old generation is deleted after.
 */
import type { TableClient, TableEntity } from "@azure/data-tables";
import { gunzipSync, gzipSync } from "node:zlib";
import { safeKey, type StateStore } from "./stateStore.js";

/** The baseline and watermarks table in the app's storage. */
export const AUDIT_STATE_TABLE = "kvguardaudit";

const CHUNK_BYTES = 60 * 1024;
/** Chunks per entity: 15 × 60 KB stays under the 1 MB entity limit. */
const CHUNKS_PER_ROW = 15;

interface Manifest {
  generation: string;
  rows: number;
}

export class TableStateStore implements StateStore {
  #created = false;

  constructor(readonly table: TableClient) {}

  async #ensure(): Promise<void> {
    if (this.#created) return;
    await this.table.createTable();
    this.#created = true;
  }

  async #manifest(partition: string): Promise<Manifest | undefined> {
    try {
      const row = await this.table.getEntity<{ generation: string; rows: number }>(partition, "manifest");
      return { generation: row.generation, rows: row.rows };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async get(key: string): Promise<unknown> {
    await this.#ensure();
    const partition = safeKey(key);
    const manifest = await this.#manifest(partition);
    if (!manifest) return undefined;
    const parts: Buffer[] = [];
    for (let row = 0; row < manifest.rows; row++) {
      const entity = await this.table.getEntity<Record<string, unknown>>(partition, `${manifest.generation}-${String(row).padStart(5, "0")}`);
      for (let c = 0; c < CHUNKS_PER_ROW; c++) {
        const chunk = entity[`c${c}`];
        if (chunk instanceof Uint8Array) parts.push(Buffer.from(chunk));
      }
    }
    return JSON.parse(gunzipSync(Buffer.concat(parts)).toString("utf8")) as unknown;
  }

  async put(key: string, value: unknown): Promise<void> {
    await this.#ensure();
    const partition = safeKey(key);
    const previous = await this.#manifest(partition);
    const data = gzipSync(JSON.stringify(value));
    const generation = Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
    let rows = 0;
    for (let offset = 0; offset < data.length || rows === 0; rows++) {
      const entity: TableEntity<Record<string, unknown>> = { partitionKey: partition, rowKey: `${generation}-${String(rows).padStart(5, "0")}` };
      for (let c = 0; c < CHUNKS_PER_ROW && offset < data.length; c++, offset += CHUNK_BYTES) {
        entity[`c${c}`] = new Uint8Array(data.subarray(offset, offset + CHUNK_BYTES));
      }
      await this.table.upsertEntity(entity, "Replace");
    }
    await this.table.upsertEntity({ partitionKey: partition, rowKey: "manifest", generation, rows }, "Replace");
    if (previous) {
      for (let row = 0; row < previous.rows; row++) {
        await this.table.deleteEntity(partition, `${previous.generation}-${String(row).padStart(5, "0")}`).catch(() => undefined);
      }
    }
  }
}
