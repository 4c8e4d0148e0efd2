/**
 * @module The report's unused objects: per vault, the enabled secrets, keys and certificates nobody read (or,
 * for a key, used) in `days` days, from the audit scan's baseline (each object's last use by a consumer and
 * when the vault's audit records begin; the rules of the `persistence_unused_secret` detector, so kvguard's
 * own reads do not count). Judged at the last audit record the baseline saw. A vault whose audit records
 * cover fewer than `days` days is "unknown", never "unused". Names and dates only: no value is read.
 */
import { DAY_MS } from "../common/duration.js";
import type { InventoryItem } from "./model.js";

/** What the audit scan keeps of use (its baseline's objects and coverage). */
export interface AuditUse {
  /** `vault/secrets|keys|certificates/name` (lower case) → when first seen and last used. */
  objects: ReadonlyMap<string, { firstMs: number; lastReadMs?: number }>;
  /** vault (lower case) → its first audit record. */
  coverage: ReadonlyMap<string, number>;
  /** The last audit record seen: use after it is not known yet. */
  lastMs: number;
}

export interface UnusedObject {
  type: "secret" | "key" | "certificate";
  name: string;
  /** null: no read in all the audit data. */
  lastReadAt: string | null;
  idleDays: number;
}

export interface UnusedVault {
  vault: string;
  /** The audit data's span for the vault; null when it has none. */
  coverage: { since: string; until: string; days: number } | null;
  status: "judged" | "unknown";
  /** One sentence: how many unused, or why unknown. */
  text: string;
  objects: UnusedObject[];
}

export interface UnusedSection {
  days: number;
  /** Why no vault could be judged at all (no audit scan yet, no audit source, the baseline unreadable). */
  note?: string;
  vaults: UnusedVault[];
}

const PLURAL: Record<UnusedObject["type"], string> = { secret: "secrets", key: "keys", certificate: "certificates" };

/** A certificate is used through its secret (the PFX/PEM) or its key as much as through itself. */
function lastUse(use: AuditUse, vault: string, item: InventoryItem): { firstMs?: number; lastReadMs?: number } {
  const types = item.type === "certificate" ? ["certificates", "secrets", "keys"] : [PLURAL[item.type]];
  let firstMs: number | undefined;
  let lastReadMs: number | undefined;
  for (const type of types) {
    const entry = use.objects.get(`${vault}/${type}/${item.name.toLowerCase()}`);
    if (!entry) continue;
    firstMs = Math.min(firstMs ?? Infinity, entry.firstMs);
    if (entry.lastReadMs !== undefined) lastReadMs = Math.max(lastReadMs ?? -Infinity, entry.lastReadMs);
  }
  return { ...(firstMs !== undefined ? { firstMs } : {}), ...(lastReadMs !== undefined ? { lastReadMs } : {}) };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function unusedSection(vaults: readonly string[], inventory: readonly InventoryItem[], days: number, use: AuditUse | string): UnusedSection {
  if (typeof use === "string") {
    return { days, note: use, vaults: vaults.map((vault) => ({ vault, coverage: null, status: "unknown", text: `unknown (${use})`, objects: [] })) };
  }
  return {
    days,
    vaults: vaults.map((vault): UnusedVault => {
      const key = vault.toLowerCase();
      const since = use.coverage.get(key);
      if (since === undefined) return { vault, coverage: null, status: "unknown", text: "unknown (the audit data has no record of this vault)", objects: [] };
      const coveredDays = Math.max(0, Math.floor((use.lastMs - since) / DAY_MS));
      const coverage = { since: new Date(since).toISOString(), until: new Date(use.lastMs).toISOString(), days: coveredDays };
      if (coveredDays < days) return { vault, coverage, status: "unknown", text: `unknown (audit covers only ${coveredDays} days)`, objects: [] };
      const cutoff = use.lastMs - days * DAY_MS;
      const objects: UnusedObject[] = [];
      for (const item of inventory) {
        if (item.vault.toLowerCase() !== key || item.deleted || item.managed || !item.enabled) continue;
        const { firstMs, lastReadMs } = lastUse(use, key, item);
        if (lastReadMs !== undefined && lastReadMs > cutoff) continue;
        // Younger than the window: too new to call unused.
        const born = Math.min(item.created ? Date.parse(item.created) : Infinity, firstMs ?? Infinity);
        if (lastReadMs === undefined && !(born <= cutoff)) continue;
        objects.push({
          type: item.type,
          name: item.name,
          lastReadAt: lastReadMs === undefined ? null : new Date(lastReadMs).toISOString(),
          idleDays: Math.floor((use.lastMs - Math.max(lastReadMs ?? since, since)) / DAY_MS),
        });
      }
      objects.sort((a, b) => b.idleDays - a.idleDays || a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
      const text = `${objects.length} object(s) nobody read in the ${days} days to ${day(use.lastMs)} (audit covers ${coveredDays} days, from ${day(since)})`;
      return { vault, coverage, status: "judged", text, objects };
    }),
  };
}
