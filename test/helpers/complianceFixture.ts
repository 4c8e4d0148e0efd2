/**
 * @module Compliance runs for the report tests and the report benchmark: `complianceFixture()` is a small
 * run judged by hand with the registry's check definitions (three vaults, one unreachable; checks mapped to every framework; pass, fail,
 * not-applicable and error results; expiry dates; rotation evidence; a few hostile strings), and
 * `syntheticRun(n)` a seeded run of n objects shaped the same way.
 */
import { defaultComplianceConfig } from "../../scripts/checkCatalogue.js";
import { buildChecks } from "../../src/compliance/checks/registry.js";
import type { CheckDefinition, CheckResult, ComplianceRun, Framework, InventoryItem, Outcome, VaultFacts } from "../../src/compliance/model.js";
import { DAY_MS } from "../../src/common/duration.js";

export const FIXTURE_AT = "2026-11-27T06:00:00.000Z";

/** A time `days` after the fixture's run (negative: before it). */
export function daysFrom(days: number, at = FIXTURE_AT): string {
  return new Date(Date.parse(at) + days * DAY_MS).toISOString();
}

/** The registry's own definitions of the checks the fixture judges (default settings). */
export const FIXTURE_CHECKS: CheckDefinition[] = (() => {
  const ids = [
    "secret-expiry-set",
    "key-expiry-set",
    "certificate-expiring-soon",
    "key-rsa-min-size",
    "secret-rotated-within-cryptoperiod",
    "key-rotation-policy",
    "secret-content-type",
    "vault-purge-protection",
    "vault-rbac",
    "vault-audit-logging",
  ];
  const definitions = buildChecks(defaultComplianceConfig()).map((c) => c.definition);
  return ids.map((id) => definitions.find((d) => d.id === id)!);
})();

const vault = (name: string): Pick<VaultFacts, "name" | "url" | "resourceId"> => ({
  name,
  url: `https://${name}.vault.azure.net`,
  resourceId: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-${name}/providers/Microsoft.KeyVault/vaults/${name}`,
});

export const FIXTURE_VAULTS: VaultFacts[] = [
  {
    ...vault("payments-prod"),
    location: "westeurope",
    softDeleteEnabled: true,
    softDeleteRetentionDays: 90,
    purgeProtectionEnabled: true,
    rbacAuthorization: true,
    publicNetworkAccess: "Disabled",
    firewallDefaultAction: "Deny",
    privateEndpoints: 1,
    auditDiagnostics: [
      {
        name: "to-law",
        workspace: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/law-sec",
      },
    ],
    access: [
      { principalId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", principalType: "ServicePrincipal", role: "Key Vault Secrets User", scope: "vault" },
      { principalId: "1a2b3c4d-0000-4000-8000-000000000002", principalType: "User", role: "Key Vault Administrator", scope: "resource group" },
    ],
  },
  {
    ...vault("web-prod"),
    location: "northeurope",
    softDeleteEnabled: true,
    softDeleteRetentionDays: 7,
    purgeProtectionEnabled: false,
    rbacAuthorization: false,
    publicNetworkAccess: "Enabled",
    firewallDefaultAction: "Allow",
    privateEndpoints: 0,
    auditDiagnostics: [],
    access: [{ principalId: "9b8c7d6e-0000-4000-8000-000000000003", principalType: "Group", role: "access policy: get, list, set", scope: "vault" }],
  },
  { ...vault("legacy-dev"), error: "403 Forbidden listing the vault: the caller has no role on it (ForbiddenByRbac)" },
];

/** A name with markup and a formula, to prove every format escapes what it did not write. */
export const HOSTILE_NAME = `=cmd|' /C calc'!A0<script>alert(1)</script>`;

export const FIXTURE_INVENTORY: InventoryItem[] = [
  {
    vault: "payments-prod",
    type: "secret",
    name: "db-password",
    id: "https://payments-prod.vault.azure.net/secrets/db-password",
    enabled: true,
    created: daysFrom(-400),
    updated: daysFrom(-12),
    expiresOn: daysFrom(78),
    contentType: "password",
    latestVersionCreated: daysFrom(-12),
    versions: 14,
    tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P30D" },
  },
  {
    vault: "payments-prod",
    type: "secret",
    name: "stripe-api-key",
    id: "https://payments-prod.vault.azure.net/secrets/stripe-api-key",
    enabled: true,
    created: daysFrom(-300),
    updated: daysFrom(-300),
    expiresOn: daysFrom(9),
    latestVersionCreated: daysFrom(-300),
    versions: 1,
    tags: {},
  },
  {
    vault: "payments-prod",
    type: "secret",
    name: "partner-token",
    id: "https://payments-prod.vault.azure.net/secrets/partner-token",
    enabled: true,
    created: daysFrom(-120),
    updated: daysFrom(-120),
    contentType: "text/plain",
    latestVersionCreated: daysFrom(-120),
    versions: 2,
    tags: {},
  },
  {
    vault: "payments-prod",
    type: "secret",
    name: "old-sftp-password",
    id: "https://payments-prod.vault.azure.net/secrets/old-sftp-password",
    enabled: false,
    created: daysFrom(-900),
    expiresOn: daysFrom(-200),
    latestVersionCreated: daysFrom(-900),
    versions: 3,
    tags: {},
  },
  {
    vault: "payments-prod",
    type: "key",
    name: "tokenization-key",
    id: "https://payments-prod.vault.azure.net/keys/tokenization-key",
    enabled: true,
    created: daysFrom(-700),
    expiresOn: daysFrom(200),
    keyType: "RSA-HSM",
    keySize: 3072,
    latestVersionCreated: daysFrom(-65),
    versions: 6,
    tags: { "kvguard-rotator": "keyvault-key" },
  },
  {
    vault: "payments-prod",
    type: "key",
    name: "legacy-signing",
    id: "https://payments-prod.vault.azure.net/keys/legacy-signing",
    enabled: true,
    created: daysFrom(-1500),
    keyType: "RSA",
    keySize: 1024,
    latestVersionCreated: daysFrom(-1500),
    versions: 1,
    tags: {},
  },
  {
    vault: "payments-prod",
    type: "certificate",
    name: "api-tls",
    id: "https://payments-prod.vault.azure.net/certificates/api-tls",
    enabled: true,
    created: daysFrom(-340),
    expiresOn: daysFrom(25),
    keyType: "RSA",
    keySize: 2048,
    latestVersionCreated: daysFrom(-340),
    versions: 2,
    certificate: {
      subject: "CN=api.payments.contoso.com",
      sans: ["DNS:api.payments.contoso.com"],
      issuedBy: "CN=api.payments.contoso.com",
      issuerName: "Self",
      validityMonths: 12,
      lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 80 }],
      renewsItself: false,
    },
    tags: {},
  },
  {
    vault: "web-prod",
    type: "secret",
    name: "session-secret",
    id: "https://web-prod.vault.azure.net/secrets/session-secret",
    enabled: true,
    created: daysFrom(-60),
    expiresOn: daysFrom(300),
    contentType: "text/plain",
    latestVersionCreated: daysFrom(-20),
    versions: 3,
    tags: { "kvguard-rotator": "random" },
  },
  {
    vault: "web-prod",
    type: "secret",
    name: HOSTILE_NAME,
    id: "https://web-prod.vault.azure.net/secrets/hostile",
    enabled: true,
    created: daysFrom(-5),
    latestVersionCreated: daysFrom(-5),
    versions: 1,
    tags: {},
  },
  {
    vault: "web-prod",
    type: "secret",
    name: "cdn-key",
    id: "https://web-prod.vault.azure.net/secrets/cdn-key",
    enabled: true,
    created: daysFrom(-30),
    expiresOn: daysFrom(-2),
    contentType: "text/plain",
    latestVersionCreated: daysFrom(-30),
    versions: 1,
    deleted: { deletedOn: daysFrom(-1), scheduledPurgeDate: daysFrom(6) },
    tags: {},
  },
  {
    vault: "web-prod",
    type: "key",
    name: "cookie-encryption",
    id: "https://web-prod.vault.azure.net/keys/cookie-encryption",
    enabled: true,
    created: daysFrom(-40),
    expiresOn: daysFrom(150),
    keyType: "EC",
    curve: "P-256",
    latestVersionCreated: daysFrom(-40),
    versions: 1,
    tags: {},
  },
  {
    vault: "web-prod",
    type: "certificate",
    name: "www-tls",
    id: "https://web-prod.vault.azure.net/certificates/www-tls",
    enabled: true,
    created: daysFrom(-200),
    expiresOn: daysFrom(165),
    keyType: "EC",
    curve: "P-384",
    latestVersionCreated: daysFrom(-200),
    versions: 1,
    certificate: {
      subject: "CN=www.contoso.com",
      sans: ["DNS:www.contoso.com", "DNS:contoso.com"],
      issuedBy: "CN=GlobalSign GCC R3 DV TLS CA 2020",
      issuerName: "globalsign",
      issuerProvider: "GlobalSign",
      validityMonths: 12,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
      renewsItself: true,
    },
    tags: {},
  },
];

function result(checkId: string, item: InventoryItem, outcome: Outcome, reason: string, evidence: Record<string, unknown> = {}): CheckResult {
  return { checkId, vault: item.vault, objectId: item.id, objectName: item.name, objectType: item.type, outcome, reason, evidence };
}

function vaultResult(checkId: string, facts: VaultFacts, outcome: Outcome, reason: string, evidence: Record<string, unknown> = {}): CheckResult {
  return { checkId, vault: facts.name, objectId: facts.resourceId ?? facts.url, objectName: facts.name, objectType: "vault", outcome, reason, evidence };
}

/** The checks' verdicts on the fixture inventory, as a careful checker would reach them. */
function fixtureResults(): CheckResult[] {
  const by = (name: string) => FIXTURE_INVENTORY.find((i) => i.name === name)!;
  const [payments, web, legacy] = FIXTURE_VAULTS as [VaultFacts, VaultFacts, VaultFacts];
  const rotation = (item: InventoryItem, outcome: Outcome, reason: string, history: string[], audit: string[]) =>
    result("secret-rotated-within-cryptoperiod", item, outcome, reason, {
      latestVersionCreated: item.latestVersionCreated,
      versions: item.versions,
      rotationHistory: history,
      auditRecords: audit,
    });
  const results: CheckResult[] = [];
  for (const item of FIXTURE_INVENTORY.filter((i) => i.type === "secret")) {
    if (!item.enabled) results.push(result("secret-expiry-set", item, "not-applicable", "disabled: the policy skips disabled secrets", { enabled: false }));
    else if (item.expiresOn) results.push(result("secret-expiry-set", item, "pass", `expires ${item.expiresOn.slice(0, 10)}`, { expiresOn: item.expiresOn }));
    else results.push(result("secret-expiry-set", item, "fail", "no expiry (exp) is set", { expiresOn: null }));
    results.push(
      item.contentType
        ? result("secret-content-type", item, "pass", `content type ${item.contentType}`, { contentType: item.contentType })
        : result("secret-content-type", item, "fail", "no content type", { contentType: null }),
    );
  }
  results.push(
    rotation(
      by("db-password"),
      "pass",
      "newest version is 12 days old (cryptoperiod 90 days); kvguard rotated it 12 days ago",
      [`${daysFrom(-12)} schedule success`, `${daysFrom(-42)} schedule success`],
      [`${daysFrom(-12)} SecretSet by kvguard`],
    ),
    rotation(by("stripe-api-key"), "fail", "newest version is 300 days old (cryptoperiod 90 days); no rotation on record", [], []),
    rotation(
      by("partner-token"),
      "fail",
      "newest version is 120 days old (cryptoperiod 90 days); last SecretSet 120 days ago by a person",
      [],
      [`${daysFrom(-120)} SecretSet by alice@contoso.com`],
    ),
    rotation(by("old-sftp-password"), "not-applicable", "disabled", [], []),
    rotation(
      by("session-secret"),
      "pass",
      "newest version is 20 days old (cryptoperiod 90 days)",
      [`${daysFrom(-20)} event success`],
      [`${daysFrom(-20)} SecretSet by kvguard`],
    ),
    rotation(by(HOSTILE_NAME), "pass", "newest version is 5 days old", [], []),
    rotation(by("cdn-key"), "not-applicable", "soft-deleted, awaiting purge", [], []),
  );
  results.push(
    result("key-expiry-set", by("tokenization-key"), "pass", `expires ${daysFrom(200).slice(0, 10)}`, { expiresOn: daysFrom(200) }),
    result("key-expiry-set", by("legacy-signing"), "fail", "no expiry (exp) is set", { expiresOn: null }),
    result("key-expiry-set", by("cookie-encryption"), "pass", `expires ${daysFrom(150).slice(0, 10)}`, { expiresOn: daysFrom(150) }),
    result("key-rsa-min-size", by("tokenization-key"), "pass", "RSA-HSM 3072 bits", { keyType: "RSA-HSM", keySize: 3072 }),
    result("key-rsa-min-size", by("legacy-signing"), "fail", "RSA 1024 bits; at least 2048 are required", { keyType: "RSA", keySize: 1024 }),
    result("key-rsa-min-size", by("cookie-encryption"), "not-applicable", "an EC key (P-256)", { keyType: "EC", curve: "P-256" }),
    result("key-rotation-policy", by("tokenization-key"), "pass", "Rotate 30 days before expiry; rotated 65 days ago", {
      lifetimeActions: ["Rotate timeBeforeExpiry=P30D"],
      latestVersionCreated: daysFrom(-65),
      rotationHistory: [`${daysFrom(-65)} KeyRotate`],
    }),
    result("key-rotation-policy", by("legacy-signing"), "fail", "no rotation policy", { lifetimeActions: [] }),
    result("key-rotation-policy", by("cookie-encryption"), "error", "reading the rotation policy failed: 503 ServiceUnavailable after 4 tries", {
      status: 503,
    }),
    result("certificate-expiring-soon", by("api-tls"), "fail", `expires ${daysFrom(25).slice(0, 10)}, in 25 days; the limit is 30`, {
      expiresOn: daysFrom(25),
    }),
    result("certificate-expiring-soon", by("www-tls"), "pass", `expires ${daysFrom(165).slice(0, 10)}, in 165 days`, { expiresOn: daysFrom(165) }),
    vaultResult("vault-purge-protection", payments, "pass", "soft delete on (90 days), purge protection on", {
      softDeleteEnabled: true,
      purgeProtectionEnabled: true,
    }),
    vaultResult("vault-purge-protection", web, "fail", "purge protection is off", { softDeleteEnabled: true, purgeProtectionEnabled: false }),
    vaultResult("vault-rbac", payments, "pass", "enableRbacAuthorization is true", { rbacAuthorization: true }),
    vaultResult("vault-rbac", web, "fail", "uses access policies (enableRbacAuthorization is false)", { rbacAuthorization: false }),
    vaultResult("vault-audit-logging", payments, "pass", "diagnostic setting to-law sends AuditEvent", { auditDiagnostics: ["to-law"] }),
    vaultResult("vault-audit-logging", web, "fail", "no diagnostic setting sends AuditEvent", { auditDiagnostics: [] }),
  );
  for (const check of ["vault-purge-protection", "vault-rbac", "vault-audit-logging"]) {
    results.push(vaultResult(check, legacy, "error", "the vault could not be read: 403 Forbidden (ForbiddenByRbac)", { status: 403 }));
  }
  return results;
}

/** The hand-written run; `frameworks` filters nothing (the renderers filter by it). */
export function complianceFixture(overrides: Partial<ComplianceRun> = {}): ComplianceRun {
  return {
    generatedAt: FIXTURE_AT,
    frameworks: [],
    vaults: structuredClone(FIXTURE_VAULTS),
    checks: structuredClone(FIXTURE_CHECKS),
    results: fixtureResults(),
    inventory: structuredClone(FIXTURE_INVENTORY),
    errors: [{ vault: "legacy-dev", message: "403 Forbidden listing the vault: the caller has no role on it (ForbiddenByRbac)" }],
    ...overrides,
  };
}

/** A seeded pseudo-random number in [0, 1): the same run for the same seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A run of `objects` objects spread over `vaults` vaults, each judged by the fixture's checks of its type
 * (and each vault by the vault checks), with outcomes drawn from a fixed seed.
 */
export function syntheticRun(objects: number, options: { vaults?: number; seed?: number; at?: string } = {}): ComplianceRun {
  const random = prng(options.seed ?? 7);
  const at = options.at ?? FIXTURE_AT;
  const vaultCount = options.vaults ?? Math.max(1, Math.ceil(objects / 500));
  const vaults: VaultFacts[] = Array.from({ length: vaultCount }, (_, i) => {
    const good = random() < 0.7;
    return {
      ...vault(`vault-${String(i).padStart(3, "0")}`),
      location: "westeurope",
      softDeleteEnabled: true,
      softDeleteRetentionDays: 90,
      purgeProtectionEnabled: good,
      rbacAuthorization: good || random() < 0.5,
      publicNetworkAccess: good ? "Disabled" : "Enabled",
      firewallDefaultAction: good ? "Deny" : "Allow",
      privateEndpoints: good ? 1 : 0,
      auditDiagnostics: good ? [{ name: "to-law" }] : [],
      access: [{ principalId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, role: "Key Vault Secrets User", scope: "vault" }],
    };
  });
  const types = ["secret", "secret", "secret", "key", "certificate"] as const;
  const inventory: InventoryItem[] = [];
  const results: CheckResult[] = [];
  const pick = (pass: number, fail: number, na: number): Outcome => {
    const r = random();
    return r < pass ? "pass" : r < pass + fail ? "fail" : r < pass + fail + na ? "not-applicable" : "error";
  };
  for (let n = 0; n < objects; n++) {
    const facts = vaults[n % vaultCount]!;
    const type = types[n % types.length]!;
    const name = `${type}-${String(n).padStart(5, "0")}`;
    const created = -Math.floor(random() * 900);
    const expires = random() < 0.8 ? Math.floor(random() * 500) - 60 : undefined;
    const item: InventoryItem = {
      vault: facts.name,
      type,
      name,
      id: `${facts.url}/${type}s/${name}`,
      enabled: random() < 0.95,
      created: daysFrom(created, at),
      ...(expires === undefined ? {} : { expiresOn: daysFrom(expires, at) }),
      latestVersionCreated: daysFrom(Math.max(created, -Math.floor(random() * 200)), at),
      versions: 1 + Math.floor(random() * 20),
      ...(type === "key" ? { keyType: "RSA", keySize: random() < 0.1 ? 1024 : 2048 } : {}),
      ...(type === "secret" ? { contentType: "text/plain" } : {}),
      tags: {},
    };
    inventory.push(item);
    for (const check of FIXTURE_CHECKS.filter((c) => c.scope === type)) {
      const outcome = pick(0.7, 0.2, 0.07);
      results.push(
        result(check.id, item, outcome, `${check.title}: ${outcome} (synthetic)`, {
          expiresOn: item.expiresOn ?? null,
          latestVersionCreated: item.latestVersionCreated,
        }),
      );
    }
  }
  for (const facts of vaults) {
    for (const check of FIXTURE_CHECKS.filter((c) => c.scope === "vault")) {
      results.push(vaultResult(check.id, facts, pick(0.6, 0.35, 0), `${check.title} (synthetic)`));
    }
  }
  return { generatedAt: at, frameworks: [] as Framework[], vaults, checks: structuredClone(FIXTURE_CHECKS), results, inventory, errors: [] };
}
