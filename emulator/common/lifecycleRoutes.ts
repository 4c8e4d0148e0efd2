/**
 * @module The routes secrets, keys and certificates share, made once from a spec: list, list versions,
 * soft delete, get and list deleted, recover and purge. Each kind adds only its own create, get, update
 * and backup. Deletes and recovers take the vault's long-running-operation moment (`ctx.lroMs`).
 */
import type { Route, RouteContext } from "../http/route.js";
import { errors, type ObjectKind } from "../http/errors.js";
import type { Vault } from "../vault.js";
import { objectId } from "./ids.js";
import { page } from "./paging.js";
import type { DeletedEntry, Entry, StoredVersion, VersionedStore } from "./versionedStore.js";

export interface LifecycleSpec<V extends StoredVersion> {
  kind: ObjectKind;
  /** URL collection: `secrets`, `keys` or `certificates`; the deleted collection is `deleted` + it. */
  collection: string;
  /** RBAC data actions. */
  actions: { read: string; delete: string; purge: string; recover: string };
  store(vault: Vault): VersionedStore<V>;
  /** The validated object name from the path. */
  name(ctx: RouteContext): string;
  /** A list item: no value, the id with the version only in a versions list. */
  item(vault: Vault, name: string, version: V, withVersion: boolean): object;
  /** The bundle a delete or recover answers with (never a secret value). */
  bundle(vault: Vault, name: string, version: V): object;
  /** Whether an entry appears in the list or the deleted list (default: all). */
  listed?(ctx: RouteContext, entry: Entry<V>, deleted: boolean): boolean;
  /** Refuses a delete, recover or purge of this entry (a certificate's key and secret go with the certificate). */
  guard?(entry: Entry<V>, operation: "delete" | "recover" | "purge"): void;
  /** State kept beside the store follows the entry: a certificate's key and secret, a key's rotation policy. */
  onDelete?(ctx: RouteContext, name: string, settlesAtMs: number): void;
  onRecover?(ctx: RouteContext, name: string, settlesAtMs: number): void;
  onPurge?(vault: Vault, name: string): void;
}

export function lifecycleRoutes<V extends StoredVersion>(spec: LifecycleSpec<V>): Route[] {
  const { kind, collection, actions } = spec;
  const deletedCollection = `deleted${collection}`;
  const deletedId = (vault: Vault, name: string) => `${vault.url}/${deletedCollection}/${name}`;
  const deletedFields = (vault: Vault, deleted: DeletedEntry<V>) => ({
    recoveryId: deletedId(vault, deleted.name),
    deletedDate: deleted.deletedDate,
    scheduledPurgeDate: deleted.scheduledPurgeDate,
  });
  const deletedBundle = (vault: Vault, deleted: DeletedEntry<V>) => ({
    ...deletedFields(vault, deleted),
    ...spec.bundle(vault, deleted.name, deleted.versions.at(-1)!),
  });
  const byName = { key: (e: { name: string }) => e.name.toLowerCase() };
  const listed = (ctx: RouteContext, deleted: boolean) => (entry: Entry<V>) => spec.listed?.(ctx, entry, deleted) ?? true;

  return [
    {
      method: "GET",
      path: `/${collection}`,
      operation: `${kind}List`,
      action: actions.read,
      handle(ctx) {
        const entries = spec.store(ctx.vault).list().filter(listed(ctx, false));
        return { body: page(entries, ctx.query, `${ctx.vault.url}/${collection}`, (e) => spec.item(ctx.vault, e.name, e.versions.at(-1)!, false), byName) };
      },
    },
    {
      method: "GET",
      path: `/${collection}/{name}/versions`,
      operation: `${kind}ListVersions`,
      action: actions.read,
      handle(ctx) {
        const name = spec.name(ctx);
        const store = spec.store(ctx.vault);
        const entryName = store.has(name) ? store.entry(name).name : name;
        const versions = store.versionsOf(name);
        return { body: page(versions, ctx.query, `${ctx.vault.url}/${collection}/${entryName}/versions`, (v) => spec.item(ctx.vault, entryName, v, true)) };
      },
    },
    {
      method: "DELETE",
      path: `/${collection}/{name}`,
      operation: `${kind}Delete`,
      action: actions.delete,
      handle(ctx) {
        const store = spec.store(ctx.vault);
        spec.guard?.(store.entry(spec.name(ctx)), "delete");
        const settlesAtMs = ctx.nowMs + ctx.lroMs;
        const deleted = store.delete(spec.name(ctx), ctx.now, ctx.vault.settings.softDeleteRetentionDays, settlesAtMs);
        spec.onDelete?.(ctx, deleted.name, settlesAtMs);
        return { body: deletedBundle(ctx.vault, deleted), objectId: objectId(ctx.vault.url, collection, deleted.name), mutated: true };
      },
    },
    {
      method: "GET",
      path: `/${deletedCollection}`,
      operation: `${kind}ListDeleted`,
      action: actions.read,
      handle(ctx) {
        const deleted = spec.store(ctx.vault).listDeleted().filter(listed(ctx, true));
        const item = (d: DeletedEntry<V>) => ({ ...deletedFields(ctx.vault, d), ...spec.item(ctx.vault, d.name, d.versions.at(-1)!, false) });
        return { body: page(deleted, ctx.query, `${ctx.vault.url}/${deletedCollection}`, item, byName) };
      },
    },
    {
      method: "GET",
      path: `/${deletedCollection}/{name}`,
      operation: `${kind}GetDeleted`,
      action: actions.read,
      handle(ctx) {
        const deleted = spec.store(ctx.vault).getDeleted(spec.name(ctx));
        return { body: deletedBundle(ctx.vault, deleted), objectId: deletedId(ctx.vault, deleted.name) };
      },
    },
    {
      method: "DELETE",
      path: `/${deletedCollection}/{name}`,
      operation: `${kind}Purge`,
      action: actions.purge,
      handle(ctx) {
        const store = spec.store(ctx.vault);
        const deleted = store.getDeleted(spec.name(ctx));
        const id = deletedId(ctx.vault, deleted.name);
        if (ctx.vault.settings.purgeProtection) throw errors.purgeProtected(kind, deleted.name).about(id);
        spec.guard?.(deleted, "purge");
        store.purge(deleted.name);
        spec.onPurge?.(ctx.vault, deleted.name);
        return { status: 204, objectId: id, mutated: true };
      },
    },
    {
      method: "POST",
      path: `/${deletedCollection}/{name}/recover`,
      operation: `${kind}Recover`,
      action: actions.recover,
      handle(ctx) {
        const store = spec.store(ctx.vault);
        spec.guard?.(store.getDeleted(spec.name(ctx)), "recover");
        const settlesAtMs = ctx.nowMs + ctx.lroMs;
        const entry = store.recover(spec.name(ctx), settlesAtMs);
        spec.onRecover?.(ctx, entry.name, settlesAtMs);
        const current = entry.versions.at(-1)!;
        return {
          body: spec.bundle(ctx.vault, entry.name, current),
          objectId: objectId(ctx.vault.url, collection, entry.name, current.version),
          mutated: true,
        };
      },
    },
  ];
}
