/**
 * @module The certificate inventory of the status page and `kvguard status`: per certificate its subject and
 * SANs, issuer, key, expiry, lifetime actions and who renews it (Key Vault by itself, kvguard, or a person),
 * read as the compliance report reads it (properties, the public certificate and the policy; never the key).
 */
import type { CertificateClient } from "@azure/keyvault-certificates";
import { DAY_MS } from "../common/duration.js";
import { ensureError } from "../common/errors.js";
import { certificateItem } from "../compliance/dataPlane.js";
import type { InventoryItem } from "../compliance/model.js";
import { certificateRenewal } from "../notices/renewal.js";
import type { RenewedBy } from "../notices/renewers.js";
import { byObject, objectKey, type RotationStatus } from "../rotation/status.js";

export interface CertificateRow {
  name: string;
  enabled: boolean;
  subject?: string;
  sans: string[];
  /** The policy's issuer (and the CA behind an issuer object), and who signed the current certificate. */
  issuer: string;
  /** "RSA 2048", "EC P-256". */
  key: string;
  expiresOn?: string;
  /** Whole days left at the page's time; negative once expired. */
  daysLeft?: number;
  lifetimeActions: string[];
  renewedBy: RenewedBy;
  why: string;
  /** Why this certificate could not be read in full. */
  problem?: string;
}

function issuerText(c: InventoryItem["certificate"]): string {
  if (!c?.issuerName) return c?.issuedBy ? `signed by ${c.issuedBy}` : "unknown";
  return `${c.issuerName}${c.issuerProvider ? ` (${c.issuerProvider})` : ""}${c.issuedBy ? `, signed by ${c.issuedBy}` : ""}`;
}

const short = (error: unknown) => ensureError(error).message.split("\n")[0]!.slice(0, 300);

/** Every certificate of a vault (pending first creates too), by name. */
export async function certificateInventory(
  client: CertificateClient,
  vault: string,
  statuses: readonly RotationStatus[],
  nowMs: number,
): Promise<CertificateRow[]> {
  const issuers = new Map<string, string>();
  for await (const issuer of client.listPropertiesOfIssuers()) {
    const name = issuer.name ?? issuer.id?.split("/").at(-1);
    if (name && issuer.provider) issuers.set(name.toLowerCase(), issuer.provider);
  }
  const byKey = byObject(statuses);
  const rows: CertificateRow[] = [];
  for await (const p of client.listPropertiesOfCertificates({ includePending: true })) {
    const name = p.name ?? "";
    const base: InventoryItem = { vault, type: "certificate", name, id: p.id ?? "", enabled: p.enabled !== false, tags: {} };
    try {
      const certificate = await client.getCertificate(name);
      const item = certificateItem(base, certificate, issuers);
      const c = item.certificate;
      const renewal = certificateRenewal(certificate.policy, byKey.get(objectKey("certificate", name)));
      const expiresOn = certificate.properties.expiresOn;
      rows.push({
        name,
        enabled: base.enabled,
        ...(c?.subject ? { subject: c.subject } : {}),
        sans: c?.sans ?? [],
        issuer: issuerText(c),
        key: [item.keyType, item.keySize, item.curve].filter(Boolean).join(" ") || "unknown",
        ...(expiresOn ? { expiresOn: expiresOn.toISOString(), daysLeft: Math.floor((expiresOn.getTime() - nowMs) / DAY_MS) } : {}),
        lifetimeActions: (c?.lifetimeActions ?? []).map(
          (a) => `${a.action} ${a.daysBeforeExpiry !== undefined ? `${a.daysBeforeExpiry} days before expiry` : `at ${a.lifetimePercentage}% of life`}`,
        ),
        renewedBy: renewal.by,
        why: renewal.why,
      });
    } catch (error) {
      rows.push({
        name,
        enabled: base.enabled,
        sans: [],
        issuer: "unknown",
        key: "unknown",
        lifetimeActions: [],
        renewedBy: "nobody",
        why: "",
        problem: short(error),
      });
    }
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}
