/**
 * @module Every compliance check against the local stack (Key Vault, Azurite, the local cloud's ARM), through
 * the real SDKs: a hardened vault and a weak one seeded with compliant and non-compliant keys and secrets over
 * 800 days of the vault's clock, a rotation made by kvguard's engine, the audit folder for the cross-check,
 * a vault whose listings answer 403 and one that does not answer at all. Every result is asserted.
 */
import { CertificateClient, type CertificatePolicy } from "@azure/keyvault-certificates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClaims, DevTokenCredential } from "../../src/azure/devCredential.js";
import { clientOptions, createVaultClients } from "../../src/azure/keyVaultClients.js";
import { catalogue } from "../../src/compliance/catalogue.js";
import { complianceDeps } from "../../src/app/compliance.js";
import { createRotators } from "../../src/rotators/registry.js";
import { credentialFor } from "../../src/azure/credential.js";
import { storageClients } from "../../src/state/storage.js";
import type { ComplianceRun, Outcome } from "../../src/compliance/model.js";
import { reportDocument } from "../../src/compliance/report/json.js";
import { runCompliance, type ComplianceDeps } from "../../src/compliance/run.js";
import { loadConfig } from "../../src/config/schema.js";
import { certificateClient } from "../helpers/certificates.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, emulatorValues, serviceFor } from "../helpers/rotation.js";
import { DAY_MS } from "../../src/common/duration.js";

const someoneElse = devClaims({ name: "someone-else" }).oid!;
const WORKSPACE = "/subscriptions/x/resourceGroups/m/providers/Microsoft.OperationalInsights/workspaces/logs";

let stack: LocalStack;
let run: ComplianceRun;
let deps: ComplianceDeps;

function outcome(vault: string, name: string, checkId: string): Outcome | undefined {
  return result(vault, name, checkId)?.outcome;
}

function result(vault: string, name: string, checkId: string) {
  const found = run.results.filter((r) => r.vault === vault && r.objectName === name && r.checkId === checkId);
  expect(found.length, `${vault}/${name} ${checkId} judged once`).toBeLessThanOrEqual(1);
  return found[0];
}

/** Every result of one object, as `checkId: outcome`. */
function outcomes(vault: string, name: string): Record<string, Outcome> {
  return Object.fromEntries(run.results.filter((r) => r.vault === vault && r.objectName === name).map((r) => [r.checkId, r.outcome]));
}

beforeAll(async () => {
  stack = await startLocalStack({
    vaults: [
      {
        name: "good",
        purgeProtection: true,
        publicNetworkAccess: "Disabled",
        networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
        privateEndpointConnections: [
          { name: "pe", privateEndpointId: "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/privateEndpoints/pe", status: "Approved" },
        ],
        // The allLogs category group includes AuditEvent.
        diagnosticSettings: [{ name: "audit-to-workspace", workspaceId: WORKSPACE, logs: [{ categoryGroup: "allLogs", enabled: true }] }],
      },
      {
        name: "weak",
        softDelete: false,
        rbacAuthorization: false,
        accessPolicies: ["a", "b", "c", "d"].map((n) => ({
          tenantId: "00000000-0000-0000-0000-000000000000",
          objectId: devClaims({ name: n }).oid!,
          permissions: { secrets: ["get", "set"] },
        })),
        privateEndpointConnections: [
          { name: "pe", privateEndpointId: "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/privateEndpoints/pe", status: "Pending" },
        ],
        diagnosticSettings: [
          {
            name: "short-retention",
            storageAccountId: "/subscriptions/x/resourceGroups/s/providers/Microsoft.Storage/storageAccounts/logs",
            logs: [{ category: "AuditEvent", enabled: true, retentionPolicy: { enabled: true, days: 30 } }],
          },
          { name: "disabled", workspaceId: WORKSPACE, logs: [{ category: "AuditEvent", enabled: false }] },
        ],
      },
      { name: "locked", managementAccess: [{ principalId: someoneElse, role: "Reader" }] },
    ],
    settings: { KVGUARD_COMPLIANCE_MIN_RSA_BITS: "3072" },
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("compliance checks on the local stack", () => {
  beforeAll(async () => {
    const kv = stack.tv.kv;
    const { secrets, keys } = stack.tv.clients({ name: "kvguard" }, "weak");
    const good = stack.tv.clients({ name: "kvguard" }, "good");
    const now = () => kv.clock.nowMs();
    const days = (n: number) => new Date(now() + n * DAY_MS);

    // Day 0: what will have aged by the run.
    await secrets.setSecret("s-stale", "stale-value-0001", { contentType: "text/plain" });
    await secrets.setSecret("s-rotated", "rotated-value-0001", {
      contentType: "text/plain",
      tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P400D" },
    });
    await keys.createRsaKey("k-stale", { keySize: 3072, expiresOn: days(1000) });
    kv.clock.advance(800 * 86_400);

    // Day 800: kvguard rotates s-rotated; the rest is made now.
    const capture = new Capture();
    const service = await serviceFor(stack, capture);
    const rotation = await service.rotateNow("weak", "s-rotated");
    expect(rotation.outcome).toBe("rotated");

    await secrets.setSecret("s-good", "good-value-00001", {
      contentType: "text/plain",
      expiresOn: days(200),
      tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P90D" },
    });
    await secrets.setSecret("s-soon", "soon-value-00001", { contentType: "text/plain", expiresOn: days(10) });
    await secrets.setSecret("s-long", "long-value-00001", { contentType: "text/plain", expiresOn: days(1000) });
    await secrets.setSecret("s-expired", "expired-value-01", { contentType: "text/plain", expiresOn: days(1) });
    await secrets.setSecret("s-invalid-policy", "invalid-value-01", { tags: { "kvguard-rotator": "no-such-rotator" } });
    await secrets.setSecret("s-disabled", "disabled-value-1", { enabled: false });
    await secrets.setSecret("s-deleted", "deleted-value-01");
    await (await secrets.beginDeleteSecret("s-deleted")).pollUntilDone();

    await keys.createRsaKey("k-rsa2048", { keySize: 2048, expiresOn: days(100) });
    await keys.updateKeyRotationPolicy("k-rsa2048", { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P90D" }], expiresIn: "P100D" });
    await keys.createRsaKey("k-rsa3072-hsm", {
      keySize: 3072,
      hsm: true,
      expiresOn: days(100),
      tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P60D" },
    });
    await keys.updateKeyRotationPolicy("k-rsa3072-hsm", { lifetimeActions: [{ action: "Rotate", timeBeforeExpiry: "P30D" }], expiresIn: "P90D" });
    await keys.createEcKey("k-ec", { curve: "P-384", expiresOn: days(100) });
    await keys.updateKeyRotationPolicy("k-ec", { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P800D" }] });
    await good.secrets.setSecret("g-secret", "g-value-00000001", { contentType: "text/plain", expiresOn: days(60) });

    // Certificates through CertificateClient: compliant ones in "good" (an integrated-CA issuer, RSA 3072, 12
    // months, AutoRenew 30 days before expiry); in "weak" a self-signed one breaking every rule, an EC one, one
    // a month long, and one signed outside Key Vault (Unknown issuer) still waiting for its merge.
    const certs = (vault: string) => certificateClient(stack.tv, { name: "kvguard" }, vault);
    const create = async (vault: string, name: string, policy: CertificatePolicy) =>
      (await certs(vault).beginCreateCertificate(name, policy, { intervalInMs: 10 })).pollUntilDone();
    await certs("good").createIssuer("digicert", "DigiCert");
    await create("good", "c-good", {
      issuerName: "digicert",
      subject: "CN=api.contoso.com",
      subjectAlternativeNames: { dnsNames: ["api.contoso.com", "www.contoso.com"] },
      keyType: "RSA",
      keySize: 3072,
      validityInMonths: 12,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 30 }],
    });
    await create("weak", "c-weak", {
      issuerName: "Self",
      subject: "CN=legacy.contoso.com",
      keyType: "RSA",
      keySize: 2048,
      validityInMonths: 24,
      lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 95 }],
    });
    await create("weak", "c-ec", {
      issuerName: "Self",
      subject: "CN=ec.contoso.com",
      keyType: "EC",
      keyCurveName: "P-256",
      validityInMonths: 12,
      lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 80 }],
    });
    await create("weak", "c-short", {
      issuerName: "Self",
      subject: "CN=short.contoso.com",
      keyType: "RSA",
      keySize: 3072,
      validityInMonths: 1,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 5 }],
    });
    await certs("weak").beginCreateCertificate("c-csr", {
      issuerName: "Unknown",
      subject: "CN=partner.contoso.com",
      keyType: "RSA",
      keySize: 4096,
      validityInMonths: 12,
    });

    // 2 days later s-expired has expired while still enabled.
    kv.clock.advance(2 * 86_400);

    // "locked": its data plane admits someone else only, so kvguard's listings get 403.
    kv.setRoleAssignments(kv.vaults.get("locked")!, [{ principalId: someoneElse, role: "Key Vault Administrator" }]);
    await kv.audit.close();

    const env = { ...stack.env, KVGUARD_AUDIT_FOLDER: kv.audit.rootDir, KVGUARD_VAULT_URLS: `${stack.env.KVGUARD_VAULT_URLS},gone=https://127.0.0.1:9` };
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.setting}: ${p.message}`).join("; "));
    const credential = await credentialFor(loaded.config.identity);
    deps = await complianceDeps(loaded.config, { credential, storage: storageClients(env, credential), clock: kv.clock, rotators: createRotators() });
    // No retries against the vault that does not answer, to keep the test quick.
    deps.vaultClients = (target) => {
      const connection = { vaultUrl: target.url, credential: new DevTokenCredential({ name: "kvguard" }), ca: kv.tls.caPem, retryOptions: { maxRetries: 0 } };
      return { ...createVaultClients(connection), certificates: new CertificateClient(target.url, connection.credential, clientOptions(connection)) };
    };
    run = await runCompliance(deps);
  });

  it("defines every check with controls and the Azure Policy parameter names", () => {
    const ids = run.checks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        "vault-soft-delete",
        "vault-audit-logging",
        "key-rotated-within-cryptoperiod",
        "secret-rotated-within-cryptoperiod",
        "certificate-max-validity",
      ]),
    );
    for (const check of run.checks) expect(check.controls.length, check.id).toBeGreaterThan(0);
    const byId = Object.fromEntries(run.checks.map((c) => [c.id, c]));
    expect(byId["key-rsa-min-size"]!.parameters).toEqual({ minimumRSAKeySize: 3072 });
    expect(byId["secret-expiring-soon"]!.parameters).toEqual({ minimumDaysBeforeExpiration: 30 });
    expect(byId["secret-max-validity"]!.parameters).toEqual({ maximumValidityInDays: 730 });
    expect(byId["key-rotation-policy"]!.parameters).toEqual({ maximumDaysToRotate: 365 });
    expect(byId["vault-audit-logging"]!.parameters).toEqual({ requiredRetentionDays: 365 });
    expect(byId["certificate-max-validity"]!.parameters).toEqual({ maximumValidityInMonths: 12 });
    expect(byId["vault-purge-protection"]!.controls).toEqual(
      expect.arrayContaining([
        { framework: "azure-policy", control: "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53", title: "Key vaults should have deletion protection enabled" },
        expect.objectContaining({ framework: "cis", control: "8.5", version: "2.0.0" }),
        expect.objectContaining({ framework: "cis", control: "8.3.5", version: "6.0.0" }),
      ]),
    );
    expect(byId["secret-rotated-within-cryptoperiod"]!.controls.map((c) => `${c.framework} ${c.control}`)).toEqual(
      expect.arrayContaining(["pci 3.7.4", "nist-800-57 5.3", "iso-27001 A.8.24", "mcsb DP-6"]),
    );
  });

  it("judges the hardened vault's management plane: every vault check passes", () => {
    const vault = run.vaults.find((v) => v.name === "good")!;
    expect(vault).toMatchObject({
      softDeleteEnabled: true,
      purgeProtectionEnabled: true,
      rbacAuthorization: true,
      publicNetworkAccess: "Disabled",
      firewallDefaultAction: "Deny",
      privateEndpoints: 1,
    });
    expect(vault.error).toBeUndefined();
    expect(outcomes("good", "good")).toEqual({
      "vault-soft-delete": "pass",
      "vault-purge-protection": "pass",
      "vault-rbac": "pass",
      "vault-public-network-disabled": "pass",
      "vault-firewall": "pass",
      "vault-private-endpoint": "pass",
      "vault-audit-logging": "pass",
      "vault-data-access": "pass",
    });
    expect(result("good", "good", "vault-audit-logging")!.evidence).toEqual({ auditDiagnostics: [{ name: "audit-to-workspace", workspace: WORKSPACE }] });
  });

  it("judges the weak vault's management plane: every vault check fails, with the reason", () => {
    expect(outcomes("weak", "weak")).toEqual({
      "vault-soft-delete": "fail",
      "vault-purge-protection": "fail",
      "vault-rbac": "fail",
      "vault-public-network-disabled": "fail",
      "vault-firewall": "fail",
      "vault-private-endpoint": "fail",
      "vault-audit-logging": "fail",
      "vault-data-access": "fail",
    });
    expect(result("weak", "weak", "vault-private-endpoint")!.reason).toBe("no approved private endpoint connection");
    expect(result("weak", "weak", "vault-data-access")!.reason).toBe("4 data-plane grant(s), 4 custodian(s); the limit is 3");
    expect(result("weak", "weak", "vault-data-access")!.evidence.access).toEqual(
      expect.arrayContaining([expect.objectContaining({ principalId: devClaims({ name: "a" }).oid, role: "Access policy: secrets[get,set]" })]),
    );
  });

  it("judges secrets: expiry, validity, active period, content type, policy, rotation, disabled and deleted", () => {
    expect(outcomes("weak", "s-good")).toEqual({
      "secret-expiry-set": "pass",
      "secret-expiring-soon": "pass",
      "secret-max-validity": "pass",
      "secret-active-period": "pass",
      "secret-enabled-expired": "pass",
      "secret-rotated-within-cryptoperiod": "pass",
      "secret-disabled": "pass",
      "secret-kvguard-policy": "pass",
      "secret-content-type": "pass",
    });
    expect(outcomes("weak", "s-stale")).toMatchObject({
      "secret-expiry-set": "fail",
      "secret-expiring-soon": "not-applicable",
      "secret-max-validity": "fail",
      "secret-active-period": "fail",
      "secret-rotated-within-cryptoperiod": "fail",
      "secret-kvguard-policy": "fail",
      "secret-content-type": "pass",
    });
    expect(result("weak", "s-stale", "secret-rotated-within-cryptoperiod")!.reason).toMatch(
      /never rotated; cryptoperiod 365 days \(KVGUARD_COMPLIANCE_CRYPTOPERIOD_DAYS\); no kvguard rotation on record; 1 new-version record\(s\) in the audit logs/,
    );
    expect(result("weak", "s-stale", "secret-active-period")!.reason).toMatch(/active for 802 days .*the limit is 730/);
    expect(outcome("weak", "s-soon", "secret-expiring-soon")).toBe("fail");
    expect(result("weak", "s-soon", "secret-expiring-soon")!.reason).toMatch(/in 7 days; the limit is 30|in 8 days; the limit is 30/);
    expect(outcome("weak", "s-long", "secret-max-validity")).toBe("fail");
    expect(outcomes("weak", "s-expired")).toMatchObject({ "secret-enabled-expired": "fail", "secret-expiring-soon": "fail", "secret-expiry-set": "pass" });
    expect(outcome("weak", "s-invalid-policy", "secret-kvguard-policy")).toBe("fail");
    expect(result("weak", "s-invalid-policy", "secret-kvguard-policy")!.reason).toMatch(/invalid: kvguard-rotator: unknown rotator "no-such-rotator"/);
    expect(outcome("weak", "s-invalid-policy", "secret-content-type")).toBe("fail");
    expect(outcomes("weak", "s-disabled")).toMatchObject({
      "secret-disabled": "fail",
      "secret-expiry-set": "not-applicable",
      "secret-rotated-within-cryptoperiod": "not-applicable",
    });
    expect(outcomes("weak", "s-deleted")).toEqual({ "secret-deleted-awaiting-purge": "fail" });
    expect(run.inventory.find((i) => i.name === "s-deleted")?.deleted?.scheduledPurgeDate).toBeDefined();
  });

  it("proves rotation from the version history, kvguard's history and the audit logs", () => {
    const rotated = result("weak", "s-rotated", "secret-rotated-within-cryptoperiod")!;
    expect(rotated.outcome).toBe("pass");
    expect(rotated.reason).toMatch(
      /newest of 2 versions made .* \(2 days ago\); cryptoperiod 400 days \(kvguard-rotate-every\); kvguard history confirms the rotation of/,
    );
    expect(rotated.reason).toMatch(/2 new-version record\(s\) in the audit logs, the last SecretSet/);
    expect(rotated.evidence).toMatchObject({ versions: 2, kvguardStatus: { state: "ok" }, cryptoperiodDays: 400 });
    expect((rotated.evidence.kvguardRotations as unknown[]).length).toBe(1);
    const item = run.inventory.find((i) => i.name === "s-rotated")!;
    expect(item.versions).toBe(2);
    // Its pending companion is in the inventory, but kvguard's bookkeeping is not judged.
    expect(run.inventory.some((i) => i.name === "s-rotated--kvguard-pending")).toBe(true);
    expect(outcomes("weak", "s-rotated--kvguard-pending")).toEqual({});
  });

  it("judges keys: type, RSA size, curve, HSM, rotation policy and rotation", () => {
    expect(outcomes("weak", "k-rsa2048")).toMatchObject({
      "key-allowed-type": "pass",
      "key-rsa-min-size": "fail",
      "key-ec-curve": "not-applicable",
      "key-hsm-backed": "fail",
      "key-rotation-policy": "pass",
      "key-kvguard-policy": "fail",
      "key-rotated-within-cryptoperiod": "pass",
    });
    expect(result("weak", "k-rsa2048", "key-rsa-min-size")!.reason).toBe("RSA 2048 bits; the minimum is 3072");
    expect(outcomes("weak", "k-rsa3072-hsm")).toMatchObject({
      "key-rsa-min-size": "pass",
      "key-hsm-backed": "pass",
      "key-rotation-policy": "pass",
      "key-kvguard-policy": "pass",
    });
    expect(result("weak", "k-rsa3072-hsm", "key-rotation-policy")!.reason).toBe("rotates 60 days after creation");
    expect(outcomes("weak", "k-ec")).toMatchObject({ "key-ec-curve": "pass", "key-rsa-min-size": "not-applicable", "key-rotation-policy": "fail" });
    expect(result("weak", "k-ec", "key-rotation-policy")!.reason).toBe("rotates 800 days after creation; the limit is 365");
    expect(outcomes("weak", "k-stale")).toMatchObject({
      "key-rotation-policy": "fail",
      "key-rotated-within-cryptoperiod": "fail",
      "key-expiry-set": "pass",
      "key-max-validity": "fail",
      "key-active-period": "fail",
    });
    expect(result("weak", "k-stale", "key-rotation-policy")!.reason).toBe("no rotation policy");
    expect(run.inventory.find((i) => i.name === "k-ec")).toMatchObject({ keyType: "EC", curve: "P-384" });
  });

  it("judges certificates read through CertificateClient: policy, X.509 and issuer, with evidence", () => {
    expect(outcomes("good", "c-good")).toEqual({
      "certificate-expiring-soon": "pass",
      "certificate-max-validity": "pass",
      "certificate-renewal-action": "pass",
      "certificate-allowed-key-type": "pass",
      "certificate-rsa-min-size": "pass",
      "certificate-ec-curve": "not-applicable",
      "certificate-integrated-ca": "pass",
    });
    expect(result("good", "c-good", "certificate-integrated-ca")!.evidence).toMatchObject({
      issuerName: "digicert",
      issuerProvider: "DigiCert",
      issuedBy: expect.stringContaining("DigiCert") as string,
    });
    expect(outcomes("weak", "c-weak")).toEqual({
      "certificate-expiring-soon": "pass",
      "certificate-max-validity": "fail",
      "certificate-renewal-action": "fail",
      "certificate-allowed-key-type": "pass",
      "certificate-rsa-min-size": "fail",
      "certificate-ec-curve": "not-applicable",
      "certificate-integrated-ca": "fail",
    });
    expect(result("weak", "c-weak", "certificate-max-validity")!).toMatchObject({
      reason: "policy validity 24 months; the limit is 12",
      evidence: { validityInMonths: 24 },
    });
    expect(result("weak", "c-weak", "certificate-rsa-min-size")!).toMatchObject({
      reason: "RSA 2048 bits; the minimum is 3072",
      evidence: { keyType: "RSA", keySize: 2048 },
    });
    expect(result("weak", "c-weak", "certificate-renewal-action")!.evidence).toEqual({
      lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 95 }],
      renewsItself: false,
    });
    expect(result("weak", "c-weak", "certificate-integrated-ca")!.reason).toBe("self-signed (issuer Self); allowed: DigiCert, GlobalSign");
    expect(outcomes("weak", "c-ec")).toMatchObject({
      "certificate-allowed-key-type": "fail",
      "certificate-ec-curve": "pass",
      "certificate-rsa-min-size": "not-applicable",
      "certificate-renewal-action": "pass",
    });
    expect(result("weak", "c-ec", "certificate-ec-curve")!.evidence).toEqual({ keyType: "EC", curve: "P-256" });
    expect(outcomes("weak", "c-short")).toMatchObject({
      "certificate-expiring-soon": "fail",
      "certificate-renewal-action": "fail",
      "certificate-max-validity": "pass",
    });
    expect(result("weak", "c-short", "certificate-expiring-soon")!.evidence).toMatchObject({ renewsItself: true });
    expect(outcomes("weak", "c-csr")).toMatchObject({
      "certificate-expiring-soon": "not-applicable",
      "certificate-integrated-ca": "fail",
      "certificate-rsa-min-size": "pass",
    });
    expect(result("weak", "c-csr", "certificate-integrated-ca")!.reason).toMatch(/^signed outside Key Vault \(issuer Unknown\)/);
    // The inventory lists each certificate with what the report shows; its backing key and secret are not judged twice.
    expect(run.inventory.find((i) => i.name === "c-good" && i.type === "certificate")).toMatchObject({
      type: "certificate",
      keyType: "RSA",
      keySize: 3072,
      certificate: {
        subject: "CN=api.contoso.com",
        sans: ["DNS:api.contoso.com", "DNS:www.contoso.com"],
        issuerName: "digicert",
        validityMonths: 12,
        renewsItself: true,
      },
    });
    expect(
      run.inventory
        .filter((i) => i.name === "c-good")
        .map((i) => `${i.type}${i.managed ? " managed" : ""}`)
        .sort(),
    ).toEqual(["certificate", "key managed", "secret managed"]);
    expect(run.results.some((r) => r.objectName === "c-good" && r.objectType !== "certificate")).toBe(false);
    // The report counts a certificate once: its backing secret is not a secret to rotate, nor a second expiry.
    const { summary } = reportDocument(run);
    expect(summary.rotation.some((r) => r.name === "c-good")).toBe(false);
    expect(summary.expiry.reduce((n, b) => n + b.count, 0)).toBe(run.inventory.filter((i) => i.enabled && !i.deleted && !i.managed).length);
  });

  it("turns a 403 on listing and an unreachable vault into error results, and goes on", () => {
    const locked = run.results.filter((r) => r.vault === "locked");
    const objectErrors = locked.filter((r) => r.objectType !== "vault");
    expect(objectErrors.length).toBe(catalogue(deps.settings).objects.length);
    for (const r of objectErrors) {
      expect(r.outcome).toBe("error");
      expect(r.reason).toMatch(/could not list the vault's (deleted )?(secrets|keys|certificates): 403 Forbidden/);
    }
    // ARM does not show the vault to kvguard's identity: its vault checks are errors too.
    for (const r of locked.filter((r) => r.objectType === "vault")) {
      expect(r.outcome).toBe("error");
      expect(r.reason).toMatch(/is not among the vaults kvguard's identity can read/);
    }
    const gone = run.results.filter((r) => r.vault === "gone");
    expect(gone.length).toBe(catalogue(deps.settings).objects.length + catalogue(deps.settings).vault.length);
    expect(gone.every((r) => r.outcome === "error")).toBe(true);
    expect(run.errors.map((e) => e.vault)).toEqual(expect.arrayContaining(["locked", "gone"]));
    expect(run.errors.find((e) => e.vault === "gone" && e.message.startsWith("listing secrets"))?.message).toMatch(/ECONNREFUSED|connect/);
    // The other vaults were judged all the same.
    expect(run.results.some((r) => r.vault === "weak" && r.outcome === "pass")).toBe(true);
  });

  it("never holds a secret value", () => {
    const text = JSON.stringify(run);
    const leaks = emulatorValues(stack).filter((value) => value.length >= 8 && text.includes(value));
    expect(leaks).toEqual([]);
  });

  it("filters checks by framework and vaults by name", async () => {
    const cisOnly = await runCompliance(deps, { frameworks: ["cis"], vaults: ["good", "nope"] });
    expect(cisOnly.frameworks).toEqual(["cis"]);
    expect(cisOnly.checks.every((c) => c.controls.some((ctl) => ctl.framework === "cis"))).toBe(true);
    expect(cisOnly.checks.map((c) => c.id)).not.toContain("secret-content-type");
    expect(cisOnly.checks.map((c) => c.id)).toContain("key-expiry-set");
    expect(new Set(cisOnly.results.map((r) => r.vault))).toEqual(new Set(["good"]));
    expect(cisOnly.errors).toEqual([{ vault: "nope", message: "vault nope is not in KVGUARD_VAULT_URLS" }]);
  });

  it("names the setting to fix when no subscription is configured", async () => {
    const none = await runCompliance({ ...deps, settings: { ...deps.settings, subscriptionIds: [] } }, { vaults: ["good"] });
    const vaultResults = none.results.filter((r) => r.objectType === "vault");
    expect(vaultResults.map((r) => r.outcome)).toEqual(Array(8).fill("error"));
    expect(vaultResults[0]!.reason).toMatch(/set KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS/);
  });

  it("turns an ARM failure on the subscription listing into vault error results", async () => {
    stack.cloud.addFault({ status: 403, count: 1, match: "GET /subscriptions/" });
    const failed = await runCompliance(deps, { vaults: ["good"] });
    const vaultResults = failed.results.filter((r) => r.objectType === "vault");
    expect(vaultResults.length).toBe(8);
    for (const r of vaultResults) {
      expect(r.outcome).toBe("error");
      expect(r.reason).toMatch(/listing the vaults of subscription 00000000-0000-0000-0000-000000000000: 403/);
    }
    // Its objects were still judged from the data plane.
    expect(failed.results.find((r) => r.objectName === "g-secret" && r.checkId === "secret-expiry-set")?.outcome).toBe("pass");
  });
});
