/**
 * @module The routes secrets and keys share, made once from a spec: list, list versions, soft delete,
 * get and list deleted, recover and purge. Each kind adds only its own create, get, update and backup.
 */
import type { Route, RouteContext } from "../http/route.js";
import { errors, type ObjectKind } from "../http/errors.js";
import type { Vault } from "../vault.js";
import { objectId } from "./ids.js";
import { page } from "./paging.js";
import type { DeletedEntry, StoredVersion, VersionedStore } from "./versionedStore.js";

export interface LifecycleSpec<V extends StoredVersion> {
  kind: ObjectKind;
  /** URL collection: `secrets` or `keys`; the deleted collection is `deleted` + it. */
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
  /** Called after a purge, for state kept beside the store (a key's rotation policy). */
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

  return [
    {
      method: "GET",
      path: `/${collection}`,
      operation: `${kind}List`,
      action: actions.read,
      handle(ctx) {
        const entries = spec.store(ctx.vault).list();
        return { body: page(entries, ctx.query, `${ctx.vault.url}/${collection}`, (e) => spec.item(ctx.vault, e.name, e.versions.at(-1)!, false), byName) };
      },
    },
    {
      method: "GET",
      path: `/${collection}/{name}/versions`,
      operation: `${kind}ListVersions`,
      action: actions.read,
      handle(ctx) {
        const entry = spec.store(ctx.vault).entry(spec.name(ctx));
        return { body: page(entry.versions, ctx.query, `${ctx.vault.url}/${collection}/${entry.name}/versions`, (v) => spec.item(ctx.vault, entry.name, v, true)) };
      },
    },
    {
      method: "DELETE",
      path: `/${collection}/{name}`,
      operation: `${kind}Delete`,
      action: actions.delete,
      handle(ctx) {
        const deleted = spec.store(ctx.vault).delete(spec.name(ctx), ctx.now, ctx.vault.settings.softDeleteRetentionDays);
        return { body: deletedBundle(ctx.vault, deleted), objectId: objectId(ctx.vault.url, collection, deleted.name), mutated: true };
      },
    },
    {
      method: "GET",
      path: `/${deletedCollection}`,
      operation: `${kind}ListDeleted`,
      action: actions.read,
      handle(ctx) {
        const deleted = spec.store(ctx.vault).listDeleted();
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
        const entry = spec.store(ctx.vault).recover(spec.name(ctx));
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
