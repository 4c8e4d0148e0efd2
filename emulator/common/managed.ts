/**
 * @module Objects a certificate manages: its key and its secret (same name, same versions). They are
 * read-only and live and die with the certificate: writing, deleting, recovering, purging or backing them
 * up on their own is Key Vault's 403, and the deleted list leaves them out (the certificate stands for them).
 */
import { errors, type ObjectKind } from "../http/errors.js";
import type { Entry, StoredVersion } from "./versionedStore.js";

export type ManagedVersion = StoredVersion & { managed?: boolean };

export function isManaged(entry: Entry<ManagedVersion> | undefined): boolean {
  return entry?.versions.at(-1)?.managed === true;
}

export function assertNotManaged(kind: ObjectKind, entry: Entry<ManagedVersion> | undefined, operation: string): void {
  if (isManaged(entry)) throw errors.managedByKeyVault(kind, operation);
}

/** The lifecycle hooks secrets and keys share for managed objects. */
export function managedLifecycle<V extends ManagedVersion>(kind: ObjectKind) {
  return {
    guard: (entry: Entry<V>, operation: string) => assertNotManaged(kind, entry, operation),
    listed: (_ctx: unknown, entry: Entry<V>, deleted: boolean) => !(deleted && isManaged(entry)),
  };
}
