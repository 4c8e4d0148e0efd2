/**
 * @module A certificate's name: checked like any object name, and free of keys and secrets of its own (a
 * certificate's key and secret take its name, so a key or secret already holding it, live or deleted, is
 * a conflict), with no create in progress.
 */
import { assertObjectName } from "../common/ids.js";
import { isManaged } from "../common/managed.js";
import { errors } from "../http/errors.js";
import type { RouteContext } from "../http/route.js";
import type { Vault } from "../vault.js";
import { inProgressConflict, operations } from "./operations.js";

export function certificateName(ctx: RouteContext): string {
  const name = ctx.params.name!;
  assertObjectName("certificate", name);
  return name;
}

/** Throws unless a new version of `name` may be created or imported now. */
export function assertCanAddVersion(vault: Vault, name: string): void {
  vault.certificates.assertFree(name);
  for (const store of [vault.keys, vault.secrets] as const) {
    const entry = store.has(name) ? store.entry(name) : store.deletedEntry(name);
    if (entry && !isManaged(entry)) throw errors.existsConflict("Certificate", name);
  }
  if (operations.get(vault, name)?.status === "inProgress") throw inProgressConflict();
}
