/**
 * @module The demo vault `npm start` seeds: one object per part of the rotation story (an event-driven
 * rotation, a scheduled one, a key, an invalid policy, an unmanaged secret), and two certificates for the
 * compliance report (one meeting every certificate check, one failing most), and an imported one near expiry
 * that nothing can renew (announced by the sweep's expiry notices). Seeding is idempotent: an
 * object that exists is left as it is. Values are random and never printed.
 */
import { randomBytes } from "node:crypto";
import { CertificateClient, type CertificatePolicy } from "@azure/keyvault-certificates";
import type { LocalKeyVault } from "../../emulator/index.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { clientOptions, createVaultClients } from "../../src/azure/keyVaultClients.js";
import { statusOf } from "../../src/common/errors.js";
import { DAY_MS } from "../../src/common/duration.js";
import { partnerSignedPfx } from "./partnerCertificate.js";

/** The person who set the vault up; an older demo's role assignments make them Administrator. */
const OPERATOR = { name: "platform-engineer", upn: "platform-engineer@kvguard.local" };

export interface DemoObject {
  kind: "secret" | "key" | "certificate";
  name: string;
  tags: Record<string, string>;
  /** Set `exp` this many days after now (the vault's clock) when seeding. */
  expiresInDays?: number;
  /** Certificates: the policy it is issued from, and the issuer object (an integrated CA) it names. */
  certificate?: { policy: CertificatePolicy; issuer?: { name: string; provider: string } };
  /** Certificates signed elsewhere and imported (issuer Unknown): the host it is for; `expiresInDays` its validity. */
  imported?: { host: string };
  /** What it shows. */
  story: string;
}

export const DEMO_OBJECTS: readonly DemoObject[] = [
  {
    kind: "secret",
    name: "payments-db-password",
    tags: { "kvguard-rotator": "random", ValidityPeriodDays: "90" },
    expiresInDays: 20,
    story: "expires within 30 days: Key Vault raises SecretNearExpiry → onVaultEvent → queue → rotationWorker",
  },
  {
    kind: "secret",
    name: "api-token",
    tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P30D", "kvguard-options": "length=40;classes=upper,lower,digit" },
    story: "rotates every 30 days: the rotationSweep timer finds it due and queues it",
  },
  {
    kind: "key",
    name: "orders-signing-key",
    tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P90D" },
    story: "a key: kvguard sets Key Vault's native rotation policy (every 90 days) and rotates it when overdue",
  },
  {
    kind: "secret",
    name: "legacy-db-password",
    tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "monthly" },
    story: "an invalid policy (kvguard-rotate-every: monthly): an error for this secret alone; the sweep goes on",
  },
  {
    kind: "secret",
    name: "third-party-api-key",
    tags: {},
    story: "no rotation policy: kvguard leaves it alone and lists it",
  },
  {
    kind: "certificate",
    name: "shop-tls",
    tags: {},
    certificate: {
      issuer: { name: "digicert", provider: "DigiCert" },
      policy: {
        issuerName: "digicert",
        subject: "CN=shop.kvguard.localhost",
        subjectAlternativeNames: { dnsNames: ["shop.kvguard.localhost"] },
        keyType: "RSA",
        keySize: 2048,
        validityInMonths: 12,
        lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
      },
    },
    story: "a certificate from an integrated CA that Key Vault renews by itself: every certificate check passes",
  },
  {
    kind: "certificate",
    name: "legacy-tls",
    tags: {},
    certificate: {
      policy: {
        issuerName: "Self",
        subject: "CN=legacy.kvguard.localhost",
        keyType: "EC",
        keyCurveName: "P-256",
        validityInMonths: 24,
        lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 95 }],
      },
    },
    story: "self-signed, EC, 24 months, warned at 95% of its life: the report shows its certificate checks failing",
  },
  {
    kind: "certificate",
    name: "partner-tls",
    tags: {},
    expiresInDays: 20,
    imported: { host: "partner.kvguard.localhost" },
    story:
      "signed by a partner's CA and imported (issuer Unknown): nothing renews it, so the sweep announces it at each stage (30, 14, 7, 1 days) and on expiry, with a CSR ready",
  },
  {
    kind: "certificate",
    name: "edge-tls",
    tags: {},
    certificate: {
      policy: {
        issuerName: "Self",
        subject: "CN=edge.kvguard.localhost",
        subjectAlternativeNames: { dnsNames: ["edge.kvguard.localhost"] },
        keyType: "RSA",
        keySize: 2048,
        validityInMonths: 3,
        lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 30 }],
      },
    },
    story: "self-signed, 3 months, no AutoRenew: Key Vault would let it expire; kvguard renews it from its policy near expiry",
  },
];

/** What seeding did with an object: made it, found it as the demo makes it, or found it otherwise. */
export type SeedOutcome = "seeded" | "kept" | "differs" | "deleted";

async function tagsOf(read: () => Promise<{ properties: { tags?: Record<string, string> } }>): Promise<Record<string, string> | undefined> {
  try {
    return (await read()).properties.tags ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    // A disabled latest version answers 403: the object exists, its tags unread.
    if (statusOf(error) === 403) return {};
    throw error;
  }
}

/** Creates each demo object that does not exist yet; reports, per name, what it found or did. */
export async function seedDemoVault(kv: LocalKeyVault, vaultUrl: string): Promise<Map<string, SeedOutcome>> {
  const connection = { vaultUrl, credential: new DevTokenCredential(OPERATOR), ca: kv.tls.caPem };
  const { secrets, keys } = createVaultClients(connection);
  const certificates = new CertificateClient(vaultUrl, connection.credential, clientOptions(connection));
  const outcomes = new Map<string, SeedOutcome>();
  for (const object of DEMO_OBJECTS) {
    const isKey = object.kind === "key";
    const read =
      object.kind === "certificate"
        ? () => certificates.getCertificate(object.name)
        : isKey
          ? () => keys.getKey(object.name)
          : () => secrets.getSecret(object.name);
    const tags = await tagsOf(read);
    if (tags) {
      // An older demo (or a person) may have left it with another policy: say so rather than change it.
      const same = Object.entries(object.tags).every(([name, value]) => tags[name] === value);
      outcomes.set(object.name, same ? "kept" : "differs");
      continue;
    }
    const expiresOn = object.expiresInDays === undefined ? undefined : new Date(kv.clock.nowMs() + object.expiresInDays * DAY_MS);
    const options = { tags: object.tags, ...(expiresOn ? { expiresOn } : {}) };
    try {
      if (object.imported) {
        await certificates.importCertificate(object.name, partnerSignedPfx(object.imported.host, kv.clock.nowMs(), object.expiresInDays ?? 20), {
          tags: object.tags,
        });
      } else if (object.certificate) {
        const { issuer, policy } = object.certificate;
        if (issuer) await certificates.createIssuer(issuer.name, issuer.provider);
        await (await certificates.beginCreateCertificate(object.name, policy, { tags: object.tags })).pollUntilDone();
      } else if (isKey) await keys.createRsaKey(object.name, { keySize: 2048, ...options });
      else await secrets.setSecret(object.name, randomBytes(24).toString("base64url"), { contentType: "text/plain", ...options });
      outcomes.set(object.name, "seeded");
    } catch (error) {
      // 409: deleted by hand and kept in soft delete; the demo does without it rather than purge it.
      if (statusOf(error) !== 409) throw error;
      outcomes.set(object.name, "deleted");
    }
  }
  return outcomes;
}
