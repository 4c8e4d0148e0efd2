/**
 * @module Versions, soft delete, recover and purge: the part secrets, keys and certificates share. Names
 * are case-insensitive in Key Vault, so entries are keyed by the lower-cased name and keep the name as
 * created. A soft delete or a recover takes a moment, as in Key Vault: until `settlesAtMs` (the vault's
 * clock) the entry is in neither state's lists and reads as absent (404), and its name cannot be reused.
 */
import { errors, type ObjectKind } from "../http/errors.js";
import type { Attributes } from "./attributes.js";

export interface StoredVersion {
  version: string;
  attributes: Attributes;
  tags?: Record<string, string>;
  /** Expiry events already published (and, for a certificate, the auto-renewal started) for this version, so each happens once. */
  fired?: { nearExpiry?: boolean; expired?: boolean; renewed?: boolean };
}

export interface Entry<V extends StoredVersion> {
  name: string;
  /** Oldest first; the last one is the current version. */
  versions: V[];
  /** A delete or recover of this entry is under way until then (ms, vault clock). */
  settlesAtMs?: number;
}

export interface DeletedEntry<V extends StoredVersion> extends Entry<V> {
  deletedDate: number;
  scheduledPurgeDate: number;
}

export interface StoreSnapshot<V extends StoredVersion> {
  live: Entry<V>[];
  deleted: DeletedEntry<V>[];
}

function settled(entry: Entry<StoredVersion>): boolean {
  return entry.settlesAtMs === undefined;
}

export class VersionedStore<V extends StoredVersion> {
  readonly #live = new Map<string, Entry<V>>();
  readonly #deleted = new Map<string, DeletedEntry<V>>();
  /** The readable entries sorted by name, kept until the set changes (lists are paged 25 at a time). */
  #sorted?: Entry<V>[];
  /** Entries whose delete or recover is under way: settling looks at these only, as it runs on every request. */
  readonly #settling = new Set<Entry<V>>();

  constructor(readonly kind: ObjectKind) {}

  /** Adds a version, creating the entry; a deleted-but-recoverable name is a 409. */
  addVersion(name: string, version: V): Entry<V> {
    const key = name.toLowerCase();
    this.assertFree(name);
    let entry = this.#live.get(key);
    if (!entry) {
      entry = { name, versions: [] };
      this.#live.set(key, entry);
      this.#sorted = undefined;
    }
    entry.versions.push(version);
    return entry;
  }

  /** A name being deleted or recovered, or deleted and recoverable, cannot take a new version or a restore. */
  assertFree(name: string, forRestore = false): void {
    const key = name.toLowerCase();
    const deleted = this.#deleted.get(key);
    if (deleted) throw settled(deleted) ? errors.deletedConflict(this.kind, name) : errors.beingDeleted(this.kind, name);
    const live = this.#live.get(key);
    if (live && !settled(live)) throw errors.beingRecovered(this.kind, name);
    if (live && forRestore) throw errors.existsConflict(this.kind, name);
  }

  entry(name: string): Entry<V> {
    const entry = this.#live.get(name.toLowerCase());
    if (!entry || !settled(entry)) throw errors.notFound(this.kind, name);
    return entry;
  }

  /** The entry's versions, or none for a name that does not exist (Key Vault lists an unknown name's versions as empty). */
  versionsOf(name: string): V[] {
    return this.has(name) ? this.entry(name).versions : [];
  }

  has(name: string): boolean {
    const entry = this.#live.get(name.toLowerCase());
    return entry !== undefined && settled(entry);
  }

  /** The current version when `version` is empty, else that version. */
  get(name: string, version?: string): { entry: Entry<V>; version: V } {
    const entry = this.entry(name);
    const found = version ? entry.versions.find((v) => v.version === version) : entry.versions.at(-1);
    if (!found) throw errors.notFound(this.kind, name, version);
    return { entry, version: found };
  }

  list(): Entry<V>[] {
    this.#sorted ??= sortByName([...this.#live.values()].filter(settled));
    return this.#sorted;
  }

  /** Soft-deletes `name`; it becomes readable as deleted at `settlesAtMs` (at once when that is now or past). */
  delete(name: string, nowSeconds: number, retentionDays: number, settlesAtMs?: number): DeletedEntry<V> {
    const { settlesAtMs: _recovered, ...entry } = this.entry(name);
    this.#live.delete(name.toLowerCase());
    this.#sorted = undefined;
    const deleted: DeletedEntry<V> = {
      ...entry,
      deletedDate: nowSeconds,
      scheduledPurgeDate: nowSeconds + retentionDays * 86_400,
      ...(settlesAtMs !== undefined ? { settlesAtMs } : {}),
    };
    this.#deleted.set(name.toLowerCase(), deleted);
    if (settlesAtMs !== undefined) this.#settling.add(deleted);
    return deleted;
  }

  getDeleted(name: string): DeletedEntry<V> {
    const deleted = this.#deleted.get(name.toLowerCase());
    if (!deleted || !settled(deleted)) throw errors.deletedNotFound(this.kind, name);
    return deleted;
  }

  /** A deleted entry whatever its state, for objects deleted along with another (a certificate's key and secret). */
  deletedEntry(name: string): DeletedEntry<V> | undefined {
    return this.#deleted.get(name.toLowerCase());
  }

  listDeleted(): DeletedEntry<V>[] {
    return sortByName([...this.#deleted.values()].filter(settled));
  }

  /** Recovers `name`; it becomes readable at `settlesAtMs`. */
  recover(name: string, settlesAtMs?: number): Entry<V> {
    const { deletedDate: _d, scheduledPurgeDate: _p, settlesAtMs: _s, ...deleted } = this.getDeleted(name);
    this.#deleted.delete(name.toLowerCase());
    const entry: Entry<V> = { ...deleted, ...(settlesAtMs !== undefined ? { settlesAtMs } : {}) };
    this.#live.set(name.toLowerCase(), entry);
    this.#sorted = undefined;
    if (settlesAtMs !== undefined) this.#settling.add(entry);
    return entry;
  }

  purge(name: string): void {
    this.getDeleted(name);
    this.#deleted.delete(name.toLowerCase());
  }

  /** Purges deletions whose scheduled purge date has passed; returns their names. */
  purgeDue(nowSeconds: number): string[] {
    const due = [...this.#deleted.values()].filter((d) => d.scheduledPurgeDate <= nowSeconds);
    for (const d of due) {
      this.#deleted.delete(d.name.toLowerCase());
      this.#settling.delete(d);
    }
    return due.map((d) => d.name);
  }

  /** Ends the deletes and recoveries whose moment has come; returns whether any did. */
  settle(nowMs: number): boolean {
    let changed = false;
    for (const entry of this.#settling) {
      if (entry.settlesAtMs === undefined || entry.settlesAtMs <= nowMs) {
        delete entry.settlesAtMs;
        this.#settling.delete(entry);
        changed = true;
      }
    }
    if (changed) this.#sorted = undefined;
    return changed;
  }

  /** Replaces a whole entry (restore from backup); the name must be free. */
  restore(entry: Entry<V>): Entry<V> {
    this.assertFree(entry.name, true);
    this.#live.set(entry.name.toLowerCase(), entry);
    this.#sorted = undefined;
    return entry;
  }

  snapshot(): StoreSnapshot<V> {
    return { live: [...this.#live.values()], deleted: [...this.#deleted.values()] };
  }

  load(snapshot: StoreSnapshot<V>): void {
    this.#live.clear();
    this.#deleted.clear();
    this.#settling.clear();
    this.#sorted = undefined;
    for (const e of snapshot.live) this.#live.set(e.name.toLowerCase(), e);
    for (const d of snapshot.deleted) this.#deleted.set(d.name.toLowerCase(), d);
    for (const e of [...snapshot.live, ...snapshot.deleted]) if (e.settlesAtMs !== undefined) this.#settling.add(e);
  }
}

/** By lower-cased name, the order name-keyed paging continues in. */
function sortByName<E extends { name: string }>(entries: E[]): E[] {
  const key = (e: E) => e.name.toLowerCase();
  return entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
