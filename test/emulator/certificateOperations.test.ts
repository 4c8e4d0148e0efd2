/**
 * @module A certificate signed elsewhere (issuer Unknown): the pending operation's CSR verified and signed
 * by a test CA outside the vault, then merged; cancelling and deleting the operation; issuer objects and
 * the certificates they issue; the vault's certificate contacts. All through CertificateClient.
 */
import { X509Certificate } from "node:crypto";
import type { CertificateClient } from "@azure/keyvault-certificates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { altNames, certificateClient, extendedKeyUsages, keyUsages, opensslReadPfx, scratch, TestCa, x509 } from "../helpers/certificates.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";

let tv: TestVault;
let certs: CertificateClient;
let ca: TestCa;
const poll = { intervalInMs: 10 };

beforeAll(async () => {
  tv = await startTestVault();
  certs = certificateClient(tv);
  ca = await TestCa.create();
});
afterAll(() => tv.kv.close());

async function pendingCsr(name: string): Promise<Uint8Array> {
  const operation = (await certs.getCertificateOperation(name)).getOperationState().certificateOperation!;
  expect(operation.status).toBe("inProgress");
  return operation.csr!;
}

describe("issuer Unknown: CSR and merge", () => {
  it("holds a real CSR for the policy's subject, key and extensions; a CA signs it and the merge completes the certificate", async () => {
    const poller = await certs.beginCreateCertificate(
      "signed-elsewhere",
      {
        issuerName: "Unknown",
        subject: "CN=partner.contoso.com, O=Contoso",
        subjectAlternativeNames: { dnsNames: ["partner.contoso.com"] },
        keyType: "RSA",
        keySize: 2048,
        keyUsage: ["digitalSignature"],
        enhancedKeyUsage: ["1.3.6.1.5.5.7.3.2"],
        contentType: "application/x-pem-file",
      },
      poll,
    );
    await poller.poll();
    expect(poller.isDone()).toBe(false);
    const operation = (await certs.getCertificateOperation("signed-elsewhere")).getOperationState().certificateOperation!;
    expect(operation).toMatchObject({ status: "inProgress", issuerName: "Unknown", cancellationRequested: false });
    expect(operation.statusDetails).toMatch(/Perform Merge/);

    const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(operation.csr!));
    expect(await csr.verify()).toBe(true);
    expect(csr.subject).toBe("O=Contoso, CN=partner.contoso.com");
    expect(keyUsages(csr.extensions)).toEqual(["digitalSignature"]);
    expect(extendedKeyUsages(csr.extensions)).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(altNames(csr.extensions)).toEqual(["partner.contoso.com"]);

    const signed = await ca.sign(operation.csr!);
    const merged = await certs.mergeCertificate("signed-elsewhere", [signed, ca.der]);
    expect(Buffer.from(merged.cer!)).toEqual(signed);
    expect(new X509Certificate(signed).checkIssued(new X509Certificate(ca.der))).toBe(true);
    expect(merged.properties.expiresOn?.getTime()).toBe(new Date(new X509Certificate(signed).validTo).getTime());

    const done = (await certs.getCertificateOperation("signed-elsewhere")).getOperationState().certificateOperation!;
    expect(done).toMatchObject({ status: "completed", target: `${tv.url}/certificates/signed-elsewhere` });
    // The secret holds the private key and the whole chain, leaf first.
    const value = (await tv.clients().secrets.getSecret("signed-elsewhere")).value!;
    const chain = [...value.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).raw);
    expect(chain).toEqual([signed, ca.der]);
    expect(new X509Certificate(signed).checkPrivateKey((await import("node:crypto")).createPrivateKey(value))).toBe(true);
  });

  it("merges what the SDK's own test sends: the bytes of a PEM file's base64 body", async () => {
    await certs.beginCreateCertificate("merge-text", { issuerName: "Unknown", subject: "CN=text" }, poll);
    const signed = await ca.sign(await pendingCsr("merge-text"));
    const merged = await certs.mergeCertificate("merge-text", [Buffer.from(signed.toString("base64"))]);
    expect(Buffer.from(merged.cer!)).toEqual(signed);
    // A PKCS#12 secret carries the merged chain too.
    expect(opensslReadPfx(scratch(), Buffer.from((await tv.clients().secrets.getSecret("merge-text")).value!, "base64"), "")).toContain("PRIVATE KEY");
  });

  it("refuses a certificate for another key (400), a merge after completion (400) and a merge of a Self create (403)", async () => {
    await certs.beginCreateCertificate("merge-wrong", { issuerName: "Unknown", subject: "CN=wrong" }, poll);
    await certs.beginCreateCertificate("merge-other", { issuerName: "Unknown", subject: "CN=other" }, poll);
    const foreign = await ca.sign(await pendingCsr("merge-other"));
    const wrongKey = await rejection(certs.mergeCertificate("merge-wrong", [foreign]));
    expect(wrongKey.statusCode).toBe(400);
    expect(wrongKey.message).toMatch(/key of this instance doesn't match/);
    await certs.mergeCertificate("merge-other", [foreign]);
    expect((await rejection(certs.mergeCertificate("merge-other", [foreign]))).statusCode).toBe(400);

    const slow = await startTestVault({ lroSeconds: 3600 });
    try {
      const slowCerts = certificateClient(slow);
      await slowCerts.beginCreateCertificate("self-merge", { issuerName: "Self", subject: "CN=self" }, poll);
      expect((await rejection(slowCerts.mergeCertificate("self-merge", [foreign]))).statusCode).toBe(403);
    } finally {
      await slow.kv.close();
    }
  });

  it("keeps a renewal pending beside the current version, which stays current until the merge", async () => {
    await certs.beginCreateCertificate("renew-by-csr", { issuerName: "Unknown", subject: "CN=renew" }, poll);
    const first = await certs.mergeCertificate("renew-by-csr", [await ca.sign(await pendingCsr("renew-by-csr"))]);
    await certs.beginCreateCertificate("renew-by-csr", { issuerName: "Unknown", subject: "CN=renew" }, poll);
    expect((await certs.getCertificate("renew-by-csr")).properties.version).toBe(first.properties.version);
    const second = await certs.mergeCertificate("renew-by-csr", [await ca.sign(await pendingCsr("renew-by-csr"))]);
    expect(second.properties.version).not.toBe(first.properties.version);
    expect((await certs.getCertificate("renew-by-csr")).properties.version).toBe(second.properties.version);
  });
});

describe("the pending operation", () => {
  it("is cancelled and deleted as the SDK expects, then answers 404 PendingCertificateNotFound", async () => {
    await certs.beginCreateCertificate("cancel-me", { issuerName: "Unknown", subject: "CN=cancel" }, poll);
    const poller = await certs.getCertificateOperation("cancel-me");
    expect(poller.getOperationState().certificateOperation?.cancellationRequested).toBe(false);
    await poller.cancelOperation();
    expect(poller.getOperationState().certificateOperation).toMatchObject({ cancellationRequested: true, status: "cancelled" });
    expect((await rejection(certs.mergeCertificate("cancel-me", [ca.der]))).statusCode).toBe(400);
    const deleted = await certs.deleteCertificateOperation("cancel-me");
    expect(deleted.status).toBe("cancelled");
    const gone = await rejection(certs.getCertificateOperation("cancel-me"));
    expect([gone.statusCode, gone.code, gone.message]).toEqual([404, "PendingCertificateNotFound", "Pending certificate not found: cancel-me"]);
    // The certificate stays, without X.509, listed only with includePending.
    expect((await certs.getCertificate("cancel-me")).cer).toBeUndefined();
  });

  it("answers 404 for a certificate that never had one", async () => {
    expect((await rejection(certs.getCertificateOperation("nothing-pending"))).statusCode).toBe(404);
    expect((await rejection(certs.deleteCertificateOperation("nothing-pending"))).statusCode).toBe(404);
  });
});

describe("issuers", () => {
  it("creates, reads, updates, lists and deletes issuers, never answering the password", async () => {
    const created = await certs.createIssuer("digicert-prod", "DigiCert", {
      accountId: "acct-1",
      password: "issuer-account-password",
      organizationId: "org-7",
      administratorContacts: [{ firstName: "Ada", lastName: "Admin", email: "ada@contoso.com", phone: "5550100" }],
    });
    expect(created).toMatchObject({ provider: "DigiCert", accountId: "acct-1", organizationId: "org-7", enabled: true });
    expect(created.password).toBeUndefined();
    expect(created.administratorContacts).toEqual([{ firstName: "Ada", lastName: "Admin", email: "ada@contoso.com", phone: "5550100" }]);
    // The SDK (4.10.3) sends `enabled` only when true, so a disable cannot be asked for through it.
    await certs.updateIssuer("digicert-prod", { accountId: "acct-2" });
    expect(await certs.getIssuer("digicert-prod")).toMatchObject({ accountId: "acct-2", enabled: true, organizationId: "org-7" });
    await certs.createIssuer("globalsign-test", "GlobalSign");
    const listed: string[] = [];
    for await (const issuer of certs.listPropertiesOfIssuers()) listed.push(`${issuer.id?.split("/").pop()} ${issuer.provider}`);
    expect(listed).toEqual(["digicert-prod DigiCert", "globalsign-test GlobalSign"]);
    await certs.deleteIssuer("globalsign-test");
    const missing = await rejection(certs.getIssuer("globalsign-test"));
    expect([missing.statusCode, missing.message]).toEqual([404, "Issuer not found"]);
    expect((await rejection(certs.createIssuer("Self", "DigiCert"))).statusCode).toBe(400);
  });

  it("issues through an issuer object with a local CA standing in for its provider", async () => {
    await certs.createIssuer("digicert-issued", "DigiCert");
    const cert = await (await certs.beginCreateCertificate("from-issuer", { issuerName: "digicert-issued", subject: "CN=from-issuer" }, poll)).pollUntilDone();
    const x = new X509Certificate(Buffer.from(cert.cer!));
    expect(x.issuer).toBe("CN=kvguard local DigiCert CA");
    expect(cert.policy?.issuerName).toBe("digicert-issued");
    const value = (await tv.clients().secrets.getSecret("from-issuer")).value!;
    const pem = opensslReadPfx(scratch(), Buffer.from(value, "base64"), "");
    expect(pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });
});

describe("contacts", () => {
  it("sets, reads and deletes the vault's contacts; none left is 404 ContactsNotFound", async () => {
    const contacts = [
      { email: "a@contoso.com", name: "a", phone: "111" },
      { email: "b@contoso.com", name: "b" },
    ];
    expect(await certs.setContacts(contacts)).toEqual([contacts[0], { ...contacts[1], phone: undefined }]);
    expect((await certs.getContacts())?.map((c) => c?.name)).toEqual(["a", "b"]);
    await certs.deleteContacts();
    const error = await rejection(certs.getContacts());
    expect([error.statusCode, error.code]).toEqual([404, "ContactsNotFound"]);
    expect((await rejection(certs.setContacts([{ email: "not-an-email" }]))).statusCode).toBe(400);
  });
});
