/**
 * @module Near-expiry and expiry events: NearExpiry 30 days before `exp` and Expired at `exp`, for the
 * current version of each secret, key and certificate, each at most once per version. A certificate whose
 * policy emails its contacts earlier is near expiry from that trigger on. A certificate's own key and
 * secret raise nothing: the certificate speaks for them. Run whenever the clock moves and on a timer. A
 * jump straight past `exp` raises Expired alone: the object is no longer near expiry.
 */
import { actionAt } from "../certificates/lifetime.js";
import type { StoredVersion, VersionedStore } from "../common/versionedStore.js";
import type { Vault } from "../vault.js";
import { objectEvent, type EventBus, type ObjectType } from "./bus.js";

export const NEAR_EXPIRY_SECONDS = 30 * 86_400;

type Versioned = StoredVersion & { managed?: boolean };

function scanStore<V extends Versioned>(
  vault: Vault,
  objectType: ObjectType,
  store: VersionedStore<V>,
  bus: EventBus,
  nowMs: number,
  nearExpiryAt: (name: string, version: V, exp: number) => number,
): boolean {
  const now = Math.floor(nowMs / 1000);
  let changed = false;
  for (const entry of store.list()) {
    const current = entry.versions.at(-1);
    const exp = current?.attributes.exp;
    if (!current || exp === undefined || current.managed) continue;
    const fired = (current.fired ??= {});
    const object = { name: entry.name, version: current.version, ...current.attributes };
    if (now >= exp) {
      if (!fired.expired) {
        fired.expired = true;
        fired.nearExpiry = true;
        bus.publish(objectEvent(vault, "Expired", objectType, object, nowMs));
        changed = true;
      }
    } else if (now >= nearExpiryAt(entry.name, current, exp) && !fired.nearExpiry) {
      fired.nearExpiry = true;
      bus.publish(objectEvent(vault, "NearExpiry", objectType, object, nowMs));
      changed = true;
    }
  }
  return changed;
}

const thirtyDaysBefore = (_name: string, _version: unknown, exp: number) => exp - NEAR_EXPIRY_SECONDS;

/** Publishes the events that are due; returns whether any version's state changed. */
export function scanExpiry(vaults: Iterable<Vault>, bus: EventBus, nowMs: number): boolean {
  let changed = false;
  for (const vault of vaults) {
    changed = scanStore(vault, "Secret", vault.secrets, bus, nowMs, thirtyDaysBefore) || changed;
    changed = scanStore(vault, "Key", vault.keys, bus, nowMs, thirtyDaysBefore) || changed;
    const certificateNearAt = (name: string, version: Parameters<typeof actionAt>[1], exp: number) =>
      Math.min(exp - NEAR_EXPIRY_SECONDS, actionAt(vault.certificatePolicies.get(name.toLowerCase()), version, "EmailContacts") ?? Infinity);
    changed = scanStore(vault, "Certificate", vault.certificates, bus, nowMs, certificateNearAt) || changed;
  }
  return changed;
}
