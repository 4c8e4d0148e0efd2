/**
 * Facts for the check contract suite: for each object kind, objects that meet every rule with the default
 * settings and objects that break them, and a hardened and a weak vault. Written as the data plane and ARM
 * would report them (properties only), on a fixed clock.
 */
import type { ObjectFacts } from "../../../src/compliance/check.js";
import type { CertificateFacts, CheckScope, InventoryItem, VaultFacts } from "../../../src/compliance/model.js";
import { DAY_MS } from "../../../src/common/duration.js";
import { FIXTURE_VAULTS } from "../../helpers/complianceFixture.js";

export const NOW = Date.UTC(2026, 10, 27, 6, 0, 0);
const at = (days: number) => new Date(NOW + days * DAY_MS).toISOString();
const VERSION = "0123456789abcdef0123456789abcdef";

function item(type: Exclude<CheckScope, "vault">, name: string, fields: Partial<InventoryItem> = {}): InventoryItem {
  return { vault: "contoso", type, name, id: `https://contoso.vault.azure.net/${type}s/${name}`, enabled: true, tags: {}, ...fields };
}

/** An object whose facts a check reads, with kvguard's policy and history. */
function facts(object: InventoryItem, fields: Partial<ObjectFacts> = {}): ObjectFacts {
  const created = object.created ? Date.parse(object.created) : NOW;
  return { item: object, versionTimes: [created], newestVersion: VERSION, kvguardPolicy: { kind: "none" }, rotations: [], ...fields };
}

const rotated = { kvguardPolicy: { kind: "policy", rotator: "random", rotateEverySeconds: 90 * 86_400 } } as const;
const fresh = { created: at(-30), updated: at(-30), expiresOn: at(300) };

function certificate(fields: Partial<CertificateFacts>): CertificateFacts {
  return { sans: ["DNS:api.contoso.com"], subject: "CN=api.contoso.com", lifetimeActions: [], renewsItself: false, ...fields };
}

/** Every rule met (with the default settings). */
export const COMPLIANT: ObjectFacts[] = [
  facts(item("key", "k-rsa", { ...fresh, keyType: "RSA-HSM", keySize: 3072 }), {
    ...rotated,
    rotationPolicy: { rotate: [{ afterCreateDays: 90 }], expiresInDays: 365 },
  }),
  facts(item("key", "k-ec", { ...fresh, keyType: "EC-HSM", curve: "P-384" }), {
    ...rotated,
    rotationPolicy: { rotate: [{ beforeExpiryDays: 30 }], expiresInDays: 120 },
  }),
  facts(item("secret", "s-good", { ...fresh, contentType: "text/plain" }), rotated),
  facts(
    item("certificate", "c-good", {
      ...fresh,
      keyType: "RSA",
      keySize: 3072,
      certificate: certificate({
        issuerName: "digicert",
        issuerProvider: "DigiCert",
        validityMonths: 12,
        lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
        renewsItself: true,
      }),
    }),
  ),
];

/** Rules broken: no expiry, too old, weak keys, expired, disabled, deleted, no or a bad policy. */
export const NON_COMPLIANT: ObjectFacts[] = [
  facts(item("key", "k-weak", { created: at(-900), keyType: "RSA", keySize: 1024 })),
  facts(item("key", "k-odd", { created: at(-40), expiresOn: at(-5), keyType: "oct", curve: "P-192" }), {
    rotationPolicy: { rotate: [{ afterCreateDays: 800 }] },
  }),
  facts(item("key", "k-ec-soft", { created: at(-40), expiresOn: at(10), keyType: "EC", curve: "secp192r1" }), {
    rotationPolicy: { rotate: [{ beforeExpiryDays: 30 }] },
  }),
  facts(item("key", "k-disabled", { ...fresh, enabled: false, keyType: "RSA", keySize: 2048 })),
  facts(item("key", "k-deleted", { ...fresh, keyType: "RSA", keySize: 2048, deleted: { deletedOn: at(-1), scheduledPurgeDate: at(89) } })),
  facts(item("secret", "s-weak", { created: at(-900) })),
  facts(item("secret", "s-expired", { created: at(-100), expiresOn: at(-3), contentType: "text/plain" }), {
    kvguardPolicy: { kind: "invalid", problems: ['kvguard-rotator: unknown rotator "nope"'] },
  }),
  facts(item("secret", "s-disabled", { ...fresh, enabled: false })),
  facts(item("secret", "s-deleted", { ...fresh, deleted: { deletedOn: at(-1), scheduledPurgeDate: at(89) } })),
  facts(
    item("certificate", "c-self", {
      created: at(-700),
      expiresOn: at(10),
      keyType: "RSA",
      keySize: 1024,
      certificate: certificate({ issuerName: "Self", validityMonths: 24, lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 95 }] }),
    }),
  ),
  facts(item("certificate", "c-ec", { ...fresh, keyType: "EC", curve: "P-256", certificate: certificate({ issuerName: "Self", validityMonths: 12 }) })),
  facts(
    item("certificate", "c-odd-curve", {
      ...fresh,
      keyType: "EC",
      curve: "P-192",
      certificate: certificate({ issuerName: "Unknown", lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 5 }] }),
    }),
  ),
  facts(
    item("certificate", "c-expired", {
      created: at(-400),
      expiresOn: at(-2),
      keyType: "RSA",
      keySize: 2048,
      certificate: certificate({ issuerName: "partner-ca", issuerProvider: "OneCertV2-PrivateCA", validityMonths: 12 }),
    }),
  ),
];

/** The report fixture's hardened vault. */
export const HARDENED_VAULT: VaultFacts = FIXTURE_VAULTS[0]!;

export const WEAK_VAULT: VaultFacts = {
  name: "weak",
  url: "https://weak.vault.azure.net",
  softDeleteEnabled: false,
  purgeProtectionEnabled: false,
  rbacAuthorization: false,
  publicNetworkAccess: "Enabled",
  firewallDefaultAction: "Allow",
  privateEndpoints: 0,
  auditDiagnostics: [],
  access: ["1", "2", "3", "4"].map((n) => ({
    principalId: `00000000-0000-4000-8000-00000000000${n}`,
    principalType: "User",
    role: "Key Vault Administrator",
    scope: "vault",
  })),
};
