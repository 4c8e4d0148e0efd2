/**
 * @module Near-expiry and expiry events: NearExpiry 30 days before `exp` and Expired at `exp`, for the
 * current version of each secret and key, each at most once per version. Run whenever the clock moves and
 * on a timer. A jump straight past `exp` raises Expired alone: the object is no longer near expiry.
 */
import type { StoredVersion, VersionedStore } from "../common/versionedStore.js";
import type { Vault } from "../vault.js";
import { objectEvent, type EventBus, type ObjectType } from "./bus.js";

export const NEAR_EXPIRY_SECONDS = 30 * 86_400;

function scanStore(vault: Vault, objectType: ObjectType, store: VersionedStore<StoredVersion>, bus: EventBus, nowMs: number): boolean {
  const now = Math.floor(nowMs / 1000);
  let changed = false;
  for (const entry of store.list()) {
    const current = entry.versions.at(-1);
    const exp = current?.attributes.exp;
    if (!current || exp === undefined) continue;
    const fired = (current.fired ??= {});
    const object = { name: entry.name, version: current.version, ...current.attributes };
    if (now >= exp) {
      if (!fired.expired) {
        fired.expired = true;
        fired.nearExpiry = true;
        bus.publish(objectEvent(vault, "Expired", objectType, object, nowMs));
        changed = true;
      }
    } else if (now >= exp - NEAR_EXPIRY_SECONDS && !fired.nearExpiry) {
      fired.nearExpiry = true;
      bus.publish(objectEvent(vault, "NearExpiry", objectType, object, nowMs));
      changed = true;
    }
  }
  return changed;
}

/** Publishes the events that are due; returns whether any version's state changed. */
export function scanExpiry(vaults: Iterable<Vault>, bus: EventBus, nowMs: number): boolean {
  let changed = false;
  for (const vault of vaults) {
    changed = scanStore(vault, "Secret", vault.secrets, bus, nowMs) || changed;
    changed = scanStore(vault, "Key", vault.keys, bus, nowMs) || changed;
  }
  return changed;
}
