/**
 * @module The certificate inventory both the HTML and the PDF report show: per certificate its subject and
 * SANs, issuer, key, expiry, lifetime actions and who renews it (Key Vault by itself, kvguard, or a person), as
 * plain cells.
 */
import type { InventoryItem } from "../model.js";
import { DAY_MS } from "../../common/duration.js";
import { certificateRenewer, RENEWAL_LABELS } from "../../notices/renewers.js";

export const CERTIFICATE_COLUMNS = ["Vault", "Certificate", "Subject and SANs", "Issuer", "Key", "Expires", "Lifetime actions", "Renewed"] as const;

function issuer(item: InventoryItem): string {
  const c = item.certificate;
  if (!c?.issuerName) return c?.issuedBy ? `signed by ${c.issuedBy}` : "unknown";
  return `${c.issuerName}${c.issuerProvider ? ` (${c.issuerProvider})` : ""}${c.issuedBy ? `, signed by ${c.issuedBy}` : ""}`;
}

function expiry(item: InventoryItem, atMs: number): string {
  if (!item.expiresOn) return "not issued yet";
  const left = Math.floor((Date.parse(item.expiresOn) - atMs) / DAY_MS);
  return `${item.expiresOn.slice(0, 10)} (${left < 0 ? `expired ${-left} days ago` : `in ${left} days`})`;
}

/** One row per certificate not awaiting purge, by vault and name. */
export function certificateRows(inventory: readonly InventoryItem[], generatedAt: string): string[][] {
  const atMs = Date.parse(generatedAt);
  return inventory
    .filter((i) => i.type === "certificate" && !i.deleted)
    .sort((a, b) => a.vault.localeCompare(b.vault) || a.name.localeCompare(b.name))
    .map((i) => {
      const c = i.certificate;
      const actions =
        c?.lifetimeActions.map(
          (a) => `${a.action} ${a.daysBeforeExpiry !== undefined ? `${a.daysBeforeExpiry} days before expiry` : `at ${a.lifetimePercentage}% of life`}`,
        ) ?? [];
      return [
        i.vault,
        `${i.name}${i.enabled ? "" : " (disabled)"}`,
        [c?.subject ?? "", ...(c?.sans ?? [])].filter(Boolean).join(", ") || "unknown",
        issuer(i),
        [i.keyType, i.keySize, i.curve].filter(Boolean).join(" ") || "unknown",
        expiry(i, atMs),
        actions.join("; ") || "none",
        c ? RENEWAL_LABELS[c.renewsItself ? "key-vault" : certificateRenewer(c)] : "unknown",
      ];
    });
}
