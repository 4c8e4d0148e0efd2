/**
 * @module Per-object rotation status in Table Storage: last success, last error, attempts, next attempt and
 * next due time, and the previous credential awaiting revoke. Partition = vault; row = the secret's name, or
 * `key~NAME` / `certificate~NAME`: Key Vault lets a key and a secret share a name, and each keeps its own row
 * (`~` never occurs in a Key Vault object name).
 */
import type { TableClient } from "@azure/data-tables";
import { statusOf } from "../common/errors.js";

export const STATUS_TABLE = "kvguardstatus";

export type ObjectKind = "secret" | "key" | "certificate";

export interface RotationStatus {
  vault: string;
  name: string;
  kind: ObjectKind;
  state: "ok" | "failing" | "failed" | "invalid-policy" | "no-policy" | "refused";
  lastSuccessAt?: string;
  lastVersion?: string;
  lastRotationId?: string;
  lastErrorAt?: string;
  lastError?: string;
  attempts: number;
  nextAttemptAt?: string;
  nextDueAt?: string;
  /** JSON of the rotator's metadata for the credential kvguard made live in `lastVersion` (kvguard's own record). */
  liveMetadata?: string;
  /** JSON of `PendingRevoke[]`: previous versions whose credentials are revoked when their grace ends. */
  revokes?: string;
  /** JSON of `ConsumerCounts`: the revoke gate's last look at who reads the secret (revokeGate.ts). */
  consumers?: string;
  /** JSON of a native rotation's intent (`NativeIntent`), written before Key Vault is asked for a new version. */
  intent?: string;
  /** JSON of a native job's `NativeDecision` (nativeDecision.ts): kvguard leaves this version alone. */
  decided?: string;
}

/** A previous credential in its grace period: revoked (and its version disabled) at `at`. */
export interface PendingRevoke {
  version: string;
  at: string;
  /** The rotator's metadata for that credential (never a secret). */
  metadata: Record<string, string>;
  /** When the rotation that replaced it finished, and the version it made live (the revoke gate's inputs; absent in older rows). */
  rotatedAt?: string;
  newVersion?: string;
  /** The revoke gate's durable record: consumers already alerted as still on this credential, and since when it is held. */
  alerted?: string[];
  heldAt?: string;
  /** A revoke that waits is looked at again from this time, not on every sweep (each look reads the audit log). */
  checkAt?: string;
}

export function pendingRevokes(status: RotationStatus | undefined): PendingRevoke[] {
  return status?.revokes ? (JSON.parse(status.revokes) as PendingRevoke[]) : [];
}

/** When the earliest grace period ends, if any credential awaits revoke. */
export function nextRevokeAt(status: RotationStatus | undefined): number | undefined {
  const times = pendingRevokes(status).map((r) => Math.max(Date.parse(r.at), r.checkAt ? Date.parse(r.checkAt) : 0));
  return times.length ? Math.min(...times) : undefined;
}

/** One object's key in maps of statuses (and its row key): secrets by name, keys and certificates prefixed. */
export function objectKey(kind: ObjectKind, name: string): string {
  return kind === "secret" ? name.toLowerCase() : `${kind}~${name.toLowerCase()}`;
}

/** Statuses by `objectKey`, for a sweep that looks each object up. */
export function byObject(statuses: readonly RotationStatus[]): Map<string, RotationStatus> {
  return new Map(statuses.map((s) => [objectKey(s.kind, s.name), s]));
}

export class StatusStore {
  constructor(readonly table: TableClient) {}

  async get(vault: string, name: string, kind: ObjectKind): Promise<RotationStatus | undefined> {
    const found = await this.#read(vault, objectKey(kind, name));
    if (found || kind === "secret") return found && (found.kind ?? "secret") === kind ? found : undefined;
    // A key's or certificate's row written before they had their own row key sits under the bare name: move it, once.
    const legacy = await this.#read(vault, objectKey("secret", name));
    if (legacy?.kind !== kind) return undefined;
    await this.put(legacy);
    await this.table.deleteEntity(vault.toLowerCase(), objectKey("secret", name)).catch((error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    });
    return legacy;
  }

  /** Replaces the whole row: unset fields are cleared, so a success clears the last error. */
  async put(status: RotationStatus): Promise<void> {
    const row = Object.fromEntries(Object.entries(status).filter(([, v]) => v !== undefined));
    await this.table.upsertEntity({ partitionKey: status.vault.toLowerCase(), rowKey: objectKey(status.kind, status.name), ...row }, "Replace");
  }

  async #read(vault: string, rowKey: string): Promise<RotationStatus | undefined> {
    try {
      const { partitionKey: _p, rowKey: _r, etag: _e, timestamp: _t, ...status } = await this.table.getEntity<RotationStatus>(vault.toLowerCase(), rowKey);
      return status;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async list(vault?: string): Promise<RotationStatus[]> {
    const out: RotationStatus[] = [];
    const options = vault ? { queryOptions: { filter: `PartitionKey eq '${vault.toLowerCase().replace(/'/g, "''")}'` } } : {};
    for await (const { partitionKey: _p, rowKey: _r, etag: _e, timestamp: _t, ...status } of this.table.listEntities<RotationStatus>(options)) {
      out.push(status);
    }
    return out;
  }
}
