/**
 * @module The alert state table (`kvguardalerts`) and its keys. One table, several partitions: the outbox,
 * alerts held for a summary, the dedup ledger and per-channel counters. Table keys may not hold `/ \ # ?`,
 * so free-form keys are hashed; JSON larger than a property may hold is split across several.
 */
import { createHash } from "node:crypto";

export const ALERTS_TABLE = "kvguardalerts";

export function hashKey(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 40);
}

/** Row keys that sort by time, then a unique suffix. */
export function timeKey(atMs: number, id: string): string {
  return `${String(atMs).padStart(15, "0")}-${hashKey(id).slice(0, 16)}`;
}

/** Table Storage caps a string property at 64 KiB (32K UTF-16 characters); JSON is split across `json0…`. */
const CHUNK = 30_000;

/** The properties packed JSON occupies. */
export interface JsonChunks {
  [chunk: `json${number}`]: string;
}

export function packJson(value: unknown): JsonChunks {
  const text = JSON.stringify(value);
  const parts: JsonChunks = {};
  for (let i = 0; i * CHUNK < text.length || i === 0; i++) parts[`json${i}`] = text.slice(i * CHUNK, (i + 1) * CHUNK);
  return parts;
}

export function unpackJson<T>(entity: JsonChunks): T {
  let text = "";
  for (let i = 0; typeof entity[`json${i}`] === "string"; i++) text += entity[`json${i}`];
  return JSON.parse(text) as T;
}
