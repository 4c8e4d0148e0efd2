/**
 * @module The key-pair rotator's write-ahead note, so a rotation killed between regenerating a key and Key Vault
 * holding it is finished by the rerun without regenerating again. Most of these services do not report when
 * a key was made, so before it regenerates, the rotator writes to kvguard's state storage (table
 * `kvguardkeypairs`, one row per secret) which key it is about to regenerate and a fingerprint of that key's
 * value then, and of the key in use. A rerun that finds the note for the same resource, key and key in use,
 * and the alternate key's fingerprint changed, takes the alternate key as the new one. Fingerprints are
 * SHA-256 of the key with the resource id (truncated), never the key: the keys are long random values.
 */
import { createHash } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { statusOf } from "../../common/errors.js";
import type { RotatorRuntime } from "../types.js";

export const NOTE_TABLE = "kvguardkeypairs";

export interface RegenerateNote {
  resourceId: string;
  keyName: string;
  /** Fingerprint of the key in use when the note was written. */
  inUse: string;
  /** Fingerprint of the key about to be regenerated, before. */
  before: string;
}

export function fingerprint(resourceId: string, key: string): string {
  return createHash("sha256").update(`kvguard key-pair\n${resourceId.toLowerCase()}\n${key}`).digest("hex").slice(0, 32);
}

/** The notes table, per runtime (the app's state storage); a failed creation is tried again next time. */
const tables = new WeakMap<RotatorRuntime, Promise<TableClient>>();

function notes(runtime: RotatorRuntime): Promise<TableClient> {
  const { stateTable } = runtime;
  if (!stateTable) return Promise.reject(new Error("the key-pair rotator keeps its notes in kvguard's state storage, which this runtime does not give"));
  let table = tables.get(runtime);
  if (!table) {
    table = stateTable(NOTE_TABLE).catch((error: unknown) => {
      tables.delete(runtime);
      throw error;
    });
    tables.set(runtime, table);
  }
  return table;
}

/** Row keys may not hold `/`, `\`, `#`, `?`: vault and secret names never do (Key Vault's own rules). */
const keys = (vault: string, secret: string) => ({ partitionKey: vault, rowKey: secret });

export async function readNote(runtime: RotatorRuntime, vault: string, secret: string): Promise<RegenerateNote | undefined> {
  const client = await notes(runtime);
  const { partitionKey, rowKey } = keys(vault, secret);
  try {
    const row = await client.getEntity<RegenerateNote>(partitionKey, rowKey);
    return { resourceId: row.resourceId, keyName: row.keyName, inUse: row.inUse, before: row.before };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function writeNote(runtime: RotatorRuntime, vault: string, secret: string, note: RegenerateNote): Promise<void> {
  await (await notes(runtime)).upsertEntity({ ...keys(vault, secret), ...note }, "Replace");
}
