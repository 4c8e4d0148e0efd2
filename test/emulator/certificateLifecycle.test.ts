/**
 * @module A certificate's life through CertificateClient: soft delete, get and list deleted, recover and
 * purge carrying its key and secret along; backup and restore; lifetime actions on the vault's clock
 * (AutoRenew by percentage and by days, EmailContacts bringing the near-expiry notice forward); Event Grid
 * events; audit records with Key Vault's certificate operation names; the certificate RBAC roles.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CertificateClient, CertificatePolicy } from "@azure/keyvault-certificates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyVaultEvent } from "../../emulator/index.js";
import { devClaims, type DevIdentity } from "../../src/azure/devCredential.js";
import { certificateClient, opensslPfx, scratch, TestCa } from "../helpers/certificates.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";

const poll = { intervalInMs: 10 };
const DAY = 86_400;

async function create(certs: CertificateClient, name: string, policy: CertificatePolicy) {
  return (await certs.beginCreateCertificate(name, policy, poll)).pollUntilDone();
}

function recorder(tv: TestVault): KeyVaultEvent[] {
  const events: KeyVaultEvent[] = [];
  tv.kv.events.on("event", (e) => events.push(e));
  return events;
}

const seen = (events: KeyVaultEvent[], name: string) => events.filter((e) => e.subject === name).map((e) => e.eventType.replace("Microsoft.KeyVault.", ""));

describe("soft delete, recover, purge, backup and restore", () => {
  let tv: TestVault;
  let certs: CertificateClient;
  beforeAll(async () => {
    tv = await startTestVault();
    certs = certificateClient(tv);
  });
  afterAll(() => tv.kv.close());

  it("deletes the certificate with its key and secret, recovers all three, and purges all three", async () => {
    const cert = await create(certs, "life", { issuerName: "Self", subject: "CN=life" });
    const { secrets, keys } = tv.clients();
    const deleted = await (await certs.beginDeleteCertificate("life", poll)).pollUntilDone();
    expect(deleted).toMatchObject({ name: "life", recoveryId: `${tv.url}/deletedcertificates/life` });
    expect(deleted.deletedOn).toBeInstanceOf(Date);
    expect(deleted.scheduledPurgeDate!.getTime() - deleted.deletedOn!.getTime()).toBe(90 * DAY * 1000);
    expect((await rejection(certs.getCertificate("life"))).code).toBe("CertificateNotFound");
    expect((await rejection(secrets.getSecret("life"))).statusCode).toBe(404);
    expect((await rejection(keys.getKey("life"))).statusCode).toBe(404);
    // The deleted key and secret answer by name, but only the certificate is listed as deleted.
    expect((await secrets.getDeletedSecret("life")).properties.managed).toBe(true);
    expect((await keys.getDeletedKey("life")).properties.managed).toBe(true);
    const deletedSecrets: string[] = [];
    for await (const s of secrets.listDeletedSecrets()) deletedSecrets.push(s.name);
    expect(deletedSecrets).not.toContain("life");
    const deletedCerts: string[] = [];
    for await (const c of certs.listDeletedCertificates()) deletedCerts.push(c.name);
    expect(deletedCerts).toContain("life");
    expect((await certs.getDeletedCertificate("life")).policy?.subject).toBe("CN=life");
    // Recovering or purging the secret on its own is the certificate's business.
    expect((await rejection(secrets.beginRecoverDeletedSecret("life", poll))).statusCode).toBe(403);
    expect((await rejection(secrets.purgeDeletedSecret("life"))).statusCode).toBe(403);
    expect((await rejection(create(certs, "life", { issuerName: "Self", subject: "CN=again" }))).statusCode).toBe(409);

    const recovered = await (await certs.beginRecoverDeletedCertificate("life", poll)).pollUntilDone();
    expect(recovered.properties.version).toBe(cert.properties.version);
    expect((await secrets.getSecret("life")).properties.version).toBe(cert.properties.version);
    expect((await keys.getKey("life")).properties.version).toBe(cert.properties.version);

    await (await certs.beginDeleteCertificate("life", poll)).pollUntilDone();
    await certs.purgeDeletedCertificate("life");
    expect((await rejection(certs.getDeletedCertificate("life"))).statusCode).toBe(404);
    expect((await rejection(secrets.getDeletedSecret("life"))).statusCode).toBe(404);
    expect((await rejection(keys.getDeletedKey("life"))).statusCode).toBe(404);
    await create(certs, "life", { issuerName: "Self", subject: "CN=reborn" });
    expect(await certs.getCertificatePolicy("life")).toMatchObject({ subject: "CN=reborn" });
  });

  it("answers 404 CertificateNotFound to deleting or recovering what is not there", async () => {
    expect((await rejection(certs.beginDeleteCertificate("not-there", poll))).code).toBe("CertificateNotFound");
    expect((await rejection(certs.beginRecoverDeletedCertificate("not-there", poll))).code).toBe("CertificateNotFound");
  });

  it("backs up and restores the certificate with its versions, policy, key and secret", async () => {
    const first = await create(certs, "kept", { issuerName: "Self", subject: "CN=kept", contentType: "application/x-pem-file" });
    const second = await create(certs, "kept", { issuerName: "Self", subject: "CN=kept", contentType: "application/x-pem-file" });
    const secretBefore = (await tv.clients().secrets.getSecret("kept")).value;
    const backup = await certs.backupCertificate("kept");
    expect(Buffer.from(backup!).toString("latin1")).not.toContain("PRIVATE KEY");
    expect((await rejection(certs.restoreCertificateBackup(backup!))).statusCode).toBe(409);
    await (await certs.beginDeleteCertificate("kept", poll)).pollUntilDone();
    await certs.purgeDeletedCertificate("kept");

    const restored = await certs.restoreCertificateBackup(backup!);
    expect(restored.properties.version).toBe(second.properties.version);
    const versions: string[] = [];
    for await (const v of certs.listPropertiesOfCertificateVersions("kept")) versions.push(v.version!);
    expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort());
    expect((await tv.clients().secrets.getSecret("kept")).value).toBe(secretBefore);
    expect((await tv.clients().keys.getKey("kept")).properties.managed).toBe(true);
    expect(await certs.getCertificatePolicy("kept")).toMatchObject({ contentType: "application/x-pem-file" });
  });

  it("refuses a corrupt backup with Key Vault's message", async () => {
    const error = await rejection(certs.restoreCertificateBackup(new Uint8Array(4728)));
    expect([error.statusCode, error.message]).toEqual([400, "Backup blob contains invalid or corrupt version."]);
  });
});

describe("lifetime actions on the vault's clock", () => {
  let tv: TestVault;
  let certs: CertificateClient;
  let events: KeyVaultEvent[];
  beforeAll(async () => {
    tv = await startTestVault();
    certs = certificateClient(tv);
    events = recorder(tv);
  });
  afterAll(() => tv.kv.close());

  async function versionCount(name: string): Promise<number> {
    let n = 0;
    for await (const _ of certs.listPropertiesOfCertificateVersions(name)) n++;
    return n;
  }

  it("renews by itself at a percentage of the lifetime, once per version, with a new X.509 from then on", async () => {
    const first = await create(certs, "auto-pct", {
      issuerName: "Self",
      subject: "CN=auto",
      validityInMonths: 12,
      lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 50 }],
    });
    const lifetime = (first.properties.expiresOn!.getTime() - first.properties.notBefore!.getTime()) / 1000;
    tv.kv.clock.advance(lifetime * 0.5 - DAY);
    expect(await versionCount("auto-pct")).toBe(1);
    tv.kv.clock.advance(2 * DAY);
    expect(await versionCount("auto-pct")).toBe(2);
    const renewed = await certs.getCertificate("auto-pct");
    expect(renewed.properties.version).not.toBe(first.properties.version);
    // Dated on the vault clock (half a year ahead of the wall clock here); an hour's slack lets a busy machine be slow.
    expect(Math.abs(renewed.properties.notBefore!.getTime() - tv.kv.clock.nowMs())).toBeLessThan(3_600_000);
    expect((await tv.clients().secrets.getSecret("auto-pct")).properties.version).toBe(renewed.properties.version);
    expect(seen(events, "auto-pct")).toEqual(["CertificateNewVersionCreated", "CertificateNewVersionCreated"]);
    tv.kv.clock.advance(DAY);
    expect(await versionCount("auto-pct")).toBe(2);
  });

  it("renews a number of days before expiry, keeping the key when the policy reuses it", async () => {
    const first = await create(certs, "auto-days", {
      issuerName: "Self",
      subject: "CN=days",
      validityInMonths: 24,
      reuseKey: true,
      lifetimeActions: [{ action: "AutoRenew", daysBeforeExpiry: 40 }],
    });
    const untilExpiry = (first.properties.expiresOn!.getTime() - tv.kv.clock.nowMs()) / 1000;
    tv.kv.clock.advance(untilExpiry - 41 * DAY);
    expect(await versionCount("auto-days")).toBe(1);
    tv.kv.clock.advance(2 * DAY);
    expect(await versionCount("auto-days")).toBe(2);
    const keys = [];
    for await (const k of tv.clients().keys.listPropertiesOfKeyVersions("auto-days"))
      keys.push((await tv.clients().keys.getKey("auto-days", { version: k.version! })).key?.n);
    expect(Buffer.from(keys[0]!)).toEqual(Buffer.from(keys[1]!));
  });

  it("renews through an issuer object, and fails the renewal clearly once that issuer is gone", async () => {
    await certs.createIssuer("renewing-ca", "GlobalSign");
    const policy: CertificatePolicy = {
      issuerName: "renewing-ca",
      subject: "CN=ca-renew",
      validityInMonths: 12,
      lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 10 }],
    };
    const first = await create(certs, "ca-renew", policy);
    const lifetime = (first.properties.expiresOn!.getTime() - first.properties.notBefore!.getTime()) / 1000;
    tv.kv.clock.advance(lifetime * 0.1 + DAY);
    expect(await versionCount("ca-renew")).toBe(2);
    await certs.deleteIssuer("renewing-ca");
    tv.kv.clock.advance(lifetime * 0.1 + DAY);
    expect(await versionCount("ca-renew")).toBe(2);
    // The SDK's operation poller surfaces a failed operation's error.
    await expect(certs.getCertificateOperation("ca-renew")).rejects.toThrow("Issuer renewing-ca does not exist in this vault.");
  });

  it("raises CertificateNearExpiry at the EmailContacts trigger (before the 30 days), once, then CertificateExpired", async () => {
    const cert = await create(certs, "mail-me", {
      issuerName: "Self",
      subject: "CN=mail",
      validityInMonths: 12,
      lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 60 }],
    });
    const untilExpiry = (cert.properties.expiresOn!.getTime() - tv.kv.clock.nowMs()) / 1000;
    tv.kv.clock.advance(untilExpiry - 61 * DAY);
    expect(seen(events, "mail-me")).toEqual(["CertificateNewVersionCreated"]);
    tv.kv.clock.advance(2 * DAY);
    expect(seen(events, "mail-me")).toEqual(["CertificateNewVersionCreated", "CertificateNearExpiry"]);
    tv.kv.clock.advance(35 * DAY);
    expect(seen(events, "mail-me")).toEqual(["CertificateNewVersionCreated", "CertificateNearExpiry"]);
    tv.kv.clock.advance(30 * DAY);
    expect(seen(events, "mail-me")).toEqual(["CertificateNewVersionCreated", "CertificateNearExpiry", "CertificateExpired"]);
    const expired = events.find((e) => e.eventType === "Microsoft.KeyVault.CertificateExpired" && e.subject === "mail-me")!;
    expect(expired.data).toMatchObject({
      ObjectType: "Certificate",
      ObjectName: "mail-me",
      Version: cert.properties.version,
      Id: `${tv.url}/certificates/mail-me/${cert.properties.version}`,
    });
    // The certificate speaks for its key and secret: they raise nothing of their own.
    expect(events.filter((e) => e.subject === "mail-me" && !e.eventType.includes("Certificate"))).toEqual([]);
  });

  it("raises CertificateNearExpiry 30 days before expiry for a certificate without lifetime actions", async () => {
    const cert = await create(certs, "no-actions", { issuerName: "Self", subject: "CN=plain", validityInMonths: 6, lifetimeActions: [] });
    const untilExpiry = (cert.properties.expiresOn!.getTime() - tv.kv.clock.nowMs()) / 1000;
    tv.kv.clock.advance(untilExpiry - 31 * DAY);
    expect(seen(events, "no-actions")).toEqual(["CertificateNewVersionCreated"]);
    tv.kv.clock.advance(2 * DAY);
    expect(seen(events, "no-actions")).toEqual(["CertificateNewVersionCreated", "CertificateNearExpiry"]);
  });
});

describe("events for an import", () => {
  // A vault of its own: OpenSSL dates the certificate on the machine's clock, and the shared vault above is years
  // ahead by now, where the import would already be past its default 80% EmailContacts trigger.
  it("raises NewVersionCreated, and nothing more while the imported certificate is young", async () => {
    const tv = await startTestVault();
    try {
      const events = recorder(tv);
      const made = opensslPfx(scratch(), ["-newkey", "rsa:2048"], "/CN=imported-events", ["-passout", "pass:"], 365);
      await certificateClient(tv).importCertificate("imported-events", made.pfx);
      tv.kv.clock.advance(DAY);
      expect(seen(events, "imported-events")).toEqual(["CertificateNewVersionCreated"]);
    } finally {
      await tv.kv.close();
    }
  });
});

describe("audit records", () => {
  it("logs certificate requests under Key Vault's certificate operation names", async () => {
    const tv = await startTestVault();
    try {
      const certs = certificateClient(tv);
      await create(certs, "audited", { issuerName: "Self", subject: "CN=audited" });
      await certs.getCertificate("audited");
      await certs.updateCertificateProperties("audited", "", { tags: { a: "b" } });
      await certs.getCertificatePolicy("audited");
      await certs.updateCertificatePolicy("audited", { issuerName: "Self", subject: "CN=audited2" });
      for await (const _ of certs.listPropertiesOfCertificates());
      for await (const _ of certs.listPropertiesOfCertificateVersions("audited"));
      await certs.backupCertificate("audited");
      await certs.setContacts([{ email: "x@contoso.com" }]);
      await certs.getContacts();
      await certs.deleteContacts();
      await certs.createIssuer("audit-issuer", "DigiCert");
      await certs.getIssuer("audit-issuer");
      await certs.updateIssuer("audit-issuer", { accountId: "a" });
      for await (const _ of certs.listPropertiesOfIssuers());
      await certs.deleteIssuer("audit-issuer");
      await certs.importCertificate("audited-import", opensslPfx(scratch(), ["-newkey", "rsa:2048"], "/CN=imp", ["-passout", "pass:"], 365).pfx);
      await certs.beginCreateCertificate("audited-merge", { issuerName: "Unknown", subject: "CN=m" }, poll);
      const csr = (await certs.getCertificateOperation("audited-merge")).getOperationState().certificateOperation!.csr!;
      await certs.mergeCertificate("audited-merge", [await (await TestCa.create()).sign(csr)]);
      await certs.beginCreateCertificate("audited-pending", { issuerName: "Unknown", subject: "CN=p" }, poll);
      const op = await certs.getCertificateOperation("audited-pending");
      await op.cancelOperation();
      await certs.deleteCertificateOperation("audited-pending");
      await (await certs.beginDeleteCertificate("audited", poll)).pollUntilDone();
      for await (const _ of certs.listDeletedCertificates());
      await (await certs.beginRecoverDeletedCertificate("audited", poll)).pollUntilDone();
      const backup = await certs.backupCertificate("audited");
      await (await certs.beginDeleteCertificate("audited", poll)).pollUntilDone();
      await certs.purgeDeletedCertificate("audited");
      await certs.restoreCertificateBackup(backup!);
      await tv.kv.audit.close();
      const root = tv.kv.audit.rootDir;
      const names = new Set(
        (readdirSync(root, { recursive: true }) as string[])
          .filter((p) => p.endsWith(".json"))
          .flatMap((p) => readFileSync(join(root, p), "utf8").split("\n").filter(Boolean))
          .map((line) => (JSON.parse(line) as { operationName: string }).operationName)
          .filter((n) => n.startsWith("Certificate")),
      );
      expect([...names].sort()).toEqual(
        [
          "CertificateBackup",
          "CertificateContactsDelete",
          "CertificateContactsGet",
          "CertificateContactsSet",
          "CertificateCreate",
          "CertificateDelete",
          "CertificateGet",
          "CertificateGetDeleted",
          "CertificateImport",
          "CertificateIssuerDelete",
          "CertificateIssuerGet",
          "CertificateIssuerSet",
          "CertificateIssuerUpdate",
          "CertificateIssuersList",
          "CertificateList",
          "CertificateListDeleted",
          "CertificateListVersions",
          "CertificatePendingDelete",
          "CertificatePendingGet",
          "CertificatePendingMerge",
          "CertificatePendingUpdate",
          "CertificatePolicyGet",
          "CertificatePolicyUpdate",
          "CertificatePurge",
          "CertificateRecover",
          "CertificateRestore",
          "CertificateUpdate",
        ].sort(),
      );
    } finally {
      await tv.kv.close();
    }
  });
});

describe("certificate roles", () => {
  const officer: DevIdentity = { name: "cert-officer" };
  const user: DevIdentity = { name: "cert-user" };
  const reader: DevIdentity = { name: "cert-reader" };
  let tv: TestVault;
  beforeAll(async () => {
    tv = await startTestVault();
    tv.kv.setRoleAssignments(tv.kv.vaults.get("local")!, [
      { principalId: devClaims(officer).oid!, role: "Key Vault Certificates Officer" },
      { principalId: devClaims(user).oid!, role: "Key Vault Certificate User" },
      { principalId: devClaims(reader).oid!, role: "Key Vault Reader" },
    ]);
  });
  afterAll(() => tv.kv.close());

  it("lets the Certificates Officer manage certificates, contacts and issuers, but not read the secret's value", async () => {
    const certs = certificateClient(tv, officer);
    await create(certs, "by-officer", { issuerName: "Self", subject: "CN=officer" });
    await certs.setContacts([{ email: "pki@contoso.com" }]);
    await certs.createIssuer("officer-issuer", "GlobalSign");
    const denied = await rejection(tv.clients(officer).secrets.getSecret("by-officer"));
    expect([denied.statusCode, denied.code]).toEqual([403, "Forbidden"]);
    expect(denied.message).toMatch(/Action: 'Microsoft.KeyVault\/vaults\/secrets\/getSecret\/action'/);
  });

  it("lets the Certificate User read the whole certificate (metadata, key, secret) and nothing more", async () => {
    const certs = certificateClient(tv, user);
    expect((await certs.getCertificate("by-officer")).name).toBe("by-officer");
    expect((await tv.clients(user).secrets.getSecret("by-officer")).value).toBeTruthy();
    expect((await tv.clients(user).keys.getKey("by-officer")).name).toBe("by-officer");
    expect((await rejection(create(certs, "by-user", { issuerName: "Self", subject: "CN=x" }))).statusCode).toBe(403);
    expect((await rejection(certs.beginDeleteCertificate("by-officer", poll))).statusCode).toBe(403);
  });

  it("lets the Reader read metadata and issuers, not secret values or settings changes", async () => {
    const certs = certificateClient(tv, reader);
    expect((await certs.getCertificate("by-officer")).name).toBe("by-officer");
    const names: string[] = [];
    for await (const c of certs.listPropertiesOfCertificates()) names.push(c.name!);
    expect(names).toContain("by-officer");
    expect((await certs.getIssuer("officer-issuer")).provider).toBe("GlobalSign");
    expect((await rejection(tv.clients(reader).secrets.getSecret("by-officer"))).statusCode).toBe(403);
    expect((await rejection(certs.setContacts([{ email: "x@contoso.com" }]))).statusCode).toBe(403);
  });
});

describe("state across a restart", () => {
  it("keeps certificates, policies, a pending operation, contacts, issuers and scoped assignments", async () => {
    const stateDir = scratch();
    const first = await startTestVault({ stateDir });
    const certs = certificateClient(first);
    const issued = await create(certs, "persisted", {
      issuerName: "Self",
      subject: "CN=persisted",
      lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 10 }],
    });
    await certs.beginCreateCertificate("persisted-pending", { issuerName: "Unknown", subject: "CN=later" }, poll);
    const csr = (await certs.getCertificateOperation("persisted-pending")).getOperationState().certificateOperation!.csr!;
    await certs.setContacts([{ email: "pki@contoso.com" }]);
    await certs.createIssuer("persisted-issuer", "DigiCert", { accountId: "acct", password: "kept-pw" });
    const holder = devClaims({ name: "persisted-holder" }).oid!;
    first.kv.setRoleAssignments(first.kv.vaults.get("local")!, [
      { principalId: devClaims({ name: "test-app" }).oid!, role: "Key Vault Administrator" },
      { principalId: holder, role: "Key Vault Certificate User", scope: "/certificates/persisted" },
    ]);
    await first.kv.close();

    const second = await startTestVault({ stateDir });
    try {
      const again = certificateClient(second);
      const got = await again.getCertificate("persisted");
      expect(Buffer.from(got.cer!)).toEqual(Buffer.from(issued.cer!));
      expect(got.policy?.lifetimeActions).toEqual([{ action: "EmailContacts", daysBeforeExpiry: 10, lifetimePercentage: undefined }]);
      expect((await second.clients().secrets.getSecret("persisted")).properties.managed).toBe(true);
      expect(await again.getContacts()).toEqual([{ email: "pki@contoso.com", name: undefined, phone: undefined }]);
      expect((await again.getIssuer("persisted-issuer")).accountId).toBe("acct");
      expect((await certificateClient(second, { name: "persisted-holder" }).getCertificate("persisted")).name).toBe("persisted");
      // The operation survives with its key: the CSR signed before the restart merges after it.
      const merged = await again.mergeCertificate("persisted-pending", [await (await TestCa.create()).sign(csr)]);
      expect(merged.cer?.length).toBeGreaterThan(0);
    } finally {
      await second.kv.close();
    }
  });
});
