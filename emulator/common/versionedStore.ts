/**
 * @module Versions, soft delete, recover and purge: the part secrets and keys share. Names are
 * case-insensitive in Key Vault, so entries are keyed by the lower-cased name and keep the name as created.
 */
import { errors, type ObjectKind } from "../http/errors.js";
import type { Attributes } from "./attributes.js";

export interface StoredVersion {
  version: string;
  attributes: Attributes;
  tags?: Record<string, string>;
  /** Expiry events already published for this version, so each fires once. */
  fired?: { nearExpiry?: boolean; expired?: boolean };
}

export interface Entry<V extends StoredVersion> {
  name: string;
  /** Oldest first; the last one is the current version. */
  versions: V[];
}

export interface DeletedEntry<V extends StoredVersion> extends Entry<V> {
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface StoreSnapshot<V extends StoredVersion> {
  live: Entry<V>[];
  deleted: DeletedEntry<V>[];
}

export class VersionedStore<V extends StoredVersion> {
  readonly #live = new Map<string, Entry<V>>();
  readonly #deleted = new Map<string, DeletedEntry<V>>();
  /** The live entries sorted by name, kept until the set of names changes (lists are paged 25 at a time). */
  #sorted?: Entry<V>[];

  constructor(readonly kind: ObjectKind) {}

  /** Adds a version, creating the entry; a deleted-but-recoverable name is a 409. */
  addVersion(name: string, version: V): Entry<V> {
    const key = name.toLowerCase();
    if (this.#deleted.has(key)) throw errors.deletedConflict(this.kind, name);
    let entry = this.#live.get(key);
    if (!entry) {
      entry = { name, versions: [] };
      this.#live.set(key, entry);
      this.#sorted = undefined;
    }
    entry.versions.push(version);
    return entry;
  }

  entry(name: string): Entry<V> {
    const entry = this.#live.get(name.toLowerCase());
    if (!entry) throw errors.notFound(this.kind, name);
    return entry;
  }

  has(name: string): boolean {
    return this.#live.has(name.toLowerCase());
  }

  /** The current version when `version` is empty, else that version. */
  get(name: string, version?: string): { entry: Entry<V>; version: V } {
    const entry = this.entry(name);
    const found = version ? entry.versions.find((v) => v.version === version) : entry.versions.at(-1);
    if (!found) throw errors.notFound(this.kind, name, version);
    return { entry, version: found };
  }

  list(): Entry<V>[] {
    this.#sorted ??= sortByName([...this.#live.values()]);
    return this.#sorted;
  }

  delete(name: string, nowSeconds: number, retentionDays: number): DeletedEntry<V> {
    const entry = this.entry(name);
    this.#live.delete(name.toLowerCase());
    this.#sorted = undefined;
    const deleted: DeletedEntry<V> = {
      ...entry,
      deletedDate: nowSeconds,
      scheduledPurgeDate: nowSeconds + retentionDays * 86_400,
    };
    this.#deleted.set(name.toLowerCase(), deleted);
    return deleted;
  }

  getDeleted(name: string): DeletedEntry<V> {
    const deleted = this.#deleted.get(name.toLowerCase());
    if (!deleted) throw errors.deletedNotFound(this.kind, name);
    return deleted;
  }

  listDeleted(): DeletedEntry<V>[] {
    return sortByName([...this.#deleted.values()]);
  }

  recover(name: string): Entry<V> {
    const deleted = this.getDeleted(name);
    if (this.#live.has(name.toLowerCase())) throw errors.existsConflict(this.kind, name);
    this.#deleted.delete(name.toLowerCase());
    const entry: Entry<V> = { name: deleted.name, versions: deleted.versions };
    this.#live.set(name.toLowerCase(), entry);
    this.#sorted = undefined;
    return entry;
  }

  purge(name: string): void {
    this.getDeleted(name);
    this.#deleted.delete(name.toLowerCase());
  }

  /** Purges deletions whose scheduled purge date has passed; returns their names. */
  purgeDue(nowSeconds: number): string[] {
    const due = [...this.#deleted.values()].filter((d) => d.scheduledPurgeDate <= nowSeconds);
    for (const d of due) this.#deleted.delete(d.name.toLowerCase());
    return due.map((d) => d.name);
  }

  /** Replaces a whole entry (restore from backup); the name must be free. */
  restore(entry: Entry<V>): Entry<V> {
    const key = entry.name.toLowerCase();
    if (this.#deleted.has(key)) throw errors.deletedConflict(this.kind, entry.name);
    if (this.#live.has(key)) throw errors.existsConflict(this.kind, entry.name);
    this.#live.set(key, entry);
    this.#sorted = undefined;
    return entry;
  }

  snapshot(): StoreSnapshot<V> {
    return { live: [...this.#live.values()], deleted: [...this.#deleted.values()] };
  }

  load(snapshot: StoreSnapshot<V>): void {
    this.#live.clear();
    this.#deleted.clear();
    this.#sorted = undefined;
    for (const e of snapshot.live) this.#live.set(e.name.toLowerCase(), e);
    for (const d of snapshot.deleted) this.#deleted.set(d.name.toLowerCase(), d);
  }
}

/** By lower-cased name, the order name-keyed paging continues in. */
function sortByName<E extends { name: string }>(entries: E[]): E[] {
  const key = (e: E) => e.name.toLowerCase();
  return entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
