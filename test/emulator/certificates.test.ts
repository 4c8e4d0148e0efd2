/**
 * @module Certificates through the unmodified CertificateClient: self-signed creation from a policy (the
 * X.509 checked with node:crypto and @peculiar/x509), the create poller and the pending version, the
 * backing key (cryptography with the certificate's public key) and secret (PKCS#12 opened by OpenSSL, PEM),
 * read-only managed objects, get, list and versions, update, and policies.
 */
import { constants, createHash, createPrivateKey, createPublicKey, publicEncrypt, verify, X509Certificate } from "node:crypto";
import type { CertificateClient, CertificatePolicy } from "@azure/keyvault-certificates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateClient, extendedKeyUsages, keyUsages, opensslReadPfx, scratch, x509 } from "../helpers/certificates.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";

let tv: TestVault;
let certs: CertificateClient;
let clients: ReturnType<TestVault["clients"]>;
const poll = { intervalInMs: 10 };
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

beforeAll(async () => {
  tv = await startTestVault();
  certs = certificateClient(tv);
  clients = tv.clients();
});
afterAll(() => tv.kv.close());

async function create(name: string, policy: CertificatePolicy) {
  return (await certs.beginCreateCertificate(name, policy, poll)).pollUntilDone();
}

function addMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

describe("self-signed creation", () => {
  it("makes a real X.509 certificate at once from the policy: subject, SANs, key, validity, key usage, EKUs", async () => {
    const cert = await create("web-tls", {
      issuerName: "Self",
      subject: "CN=www.contoso.com, O=Contoso, C=US",
      subjectAlternativeNames: { dnsNames: ["www.contoso.com", "api.contoso.com"], emails: ["ops@contoso.com"], userPrincipalNames: ["svc@contoso.com"] },
      keyType: "RSA",
      keySize: 3072,
      validityInMonths: 3,
      keyUsage: ["digitalSignature", "keyEncipherment"],
      enhancedKeyUsage: [SERVER_AUTH],
      exportable: true,
    });
    const der = Buffer.from(cert.cer!);
    const x = new X509Certificate(der);
    // OpenSSL prints the name in encoding order: Key Vault's string lists the most specific part first.
    expect(x.subject).toBe("C=US\nO=Contoso\nCN=www.contoso.com");
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.subjectAltName).toBe("DNS:www.contoso.com, DNS:api.contoso.com, email:ops@contoso.com, othername:UPN:svc@contoso.com");
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(x.ca).toBe(false);
    const parsed = new x509.X509Certificate(der);
    expect(keyUsages(parsed.extensions)).toEqual(["digitalSignature", "keyEncipherment"]);
    expect(extendedKeyUsages(parsed.extensions)).toEqual([SERVER_AUTH]);
    expect(parsed.signatureAlgorithm).toMatchObject({ name: "RSASSA-PKCS1-v1_5", hash: { name: "SHA-256" } });

    const notBefore = new Date(x.validFrom);
    expect(new Date(x.validTo).getTime()).toBe(addMonths(notBefore, 3).getTime());
    expect(cert.properties.notBefore?.getTime()).toBe(notBefore.getTime());
    expect(cert.properties.expiresOn?.getTime()).toBe(new Date(x.validTo).getTime());
    expect(Buffer.from(cert.properties.x509Thumbprint!).toString("hex")).toBe(createHash("sha1").update(der).digest("hex"));
    expect(cert.properties.x509ThumbprintString).toBe(x.fingerprint.replaceAll(":", "").toLowerCase());
    expect(cert.keyId).toBe(`${tv.url}/keys/web-tls/${cert.properties.version}`);
    expect(cert.secretId).toBe(`${tv.url}/secrets/web-tls/${cert.properties.version}`);
    expect(cert.policy).toMatchObject({
      issuerName: "Self",
      subject: "CN=www.contoso.com, O=Contoso, C=US",
      keyType: "RSA",
      keySize: 3072,
      reuseKey: false,
      exportable: true,
      validityInMonths: 3,
      contentType: "application/x-pkcs12",
      enhancedKeyUsage: [SERVER_AUTH],
      keyUsage: ["digitalSignature", "keyEncipherment"],
    });
    expect(cert.policy?.subjectAlternativeNames).toEqual({
      dnsNames: ["www.contoso.com", "api.contoso.com"],
      emails: ["ops@contoso.com"],
      userPrincipalNames: ["svc@contoso.com"],
    });
  });

  it("applies Key Vault's defaults: RSA 2048, 12 months, digitalSignature+keyEncipherment, serverAuth+clientAuth, AutoRenew at 80%", async () => {
    const cert = await create("defaults", { issuerName: "Self", subject: "CN=defaults" });
    const x = new X509Certificate(Buffer.from(cert.cer!));
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(new Date(x.validTo).getTime()).toBe(addMonths(new Date(x.validFrom), 12).getTime());
    const parsed = new x509.X509Certificate(Buffer.from(cert.cer!));
    expect(keyUsages(parsed.extensions)).toEqual(["digitalSignature", "keyEncipherment"]);
    expect(extendedKeyUsages(parsed.extensions)).toEqual([SERVER_AUTH, CLIENT_AUTH]);
    expect(cert.policy?.lifetimeActions).toEqual([{ action: "AutoRenew", lifetimePercentage: 80, daysBeforeExpiry: undefined }]);
  });

  it.each([
    ["P-256", "prime256v1", "SHA-256"],
    ["P-384", "secp384r1", "SHA-384"],
    ["P-521", "secp521r1", "SHA-512"],
    ["P-256K", "secp256k1", "SHA-256"],
  ] as const)("makes EC %s certificates signed with ECDSA and the matching hash", async (curve, nodeCurve, hash) => {
    const cert = await create(`ec-${curve.toLowerCase()}`, { issuerName: "Self", subject: `CN=ec ${curve}`, keyType: "EC", keyCurveName: curve });
    const der = Buffer.from(cert.cer!);
    const x = new X509Certificate(der);
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe(nodeCurve);
    expect(x.verify(x.publicKey)).toBe(true);
    if (curve !== "P-256K") expect(new x509.X509Certificate(der).signatureAlgorithm).toMatchObject({ name: "ECDSA", hash: { name: hash } });
    expect(cert.policy).toMatchObject({ keyType: "EC", keyCurveName: curve });
    const key = await clients.keys.getKey(cert.name);
    expect(key.key?.crv).toBe(curve);
    expect(key.keyOperations).toEqual(["sign", "verify"]);
  });

  it("makes a certificate with SANs only, the SAN extension then critical", async () => {
    const cert = await create("sans-only", { issuerName: "Self", subjectAlternativeNames: { dnsNames: ["only.contoso.com"] } });
    const parsed = new x509.X509Certificate(Buffer.from(cert.cer!));
    expect(parsed.subject).toBe("");
    expect(parsed.getExtension(x509.SubjectAlternativeNameExtension)?.critical).toBe(true);
  });

  it("refuses invalid policies with 400 BadParameter, saying what is wrong", async () => {
    const cases: [CertificatePolicy, RegExp][] = [
      [{ issuerName: "Self", subject: "CN=x", keyType: "RSA", keySize: 1024 }, /key size 1024/],
      [{ issuerName: "Self", subject: "CN=x", keyType: "EC", keyCurveName: "P-192" }, /crv must be one of/],
      [{ issuerName: "Self", subject: "not a name" }, /Invalid subject/],
      [{ issuerName: "Unknown", subject: "CN=x", lifetimeActions: [{ action: "AutoRenew", lifetimePercentage: 80 }] }, /AutoRenew/],
      [
        { issuerName: "Self", subject: "CN=x", validityInMonths: 2, lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 60 }] },
        /days_before_expiry/,
      ],
      [{ issuerName: "Self", subject: "CN=x", lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 80, daysBeforeExpiry: 10 }] }, /exactly one/],
      [{ issuerName: "Self", subject: "CN=x", keyType: "RSA-HSM", exportable: true }, /HSM/],
      [{ issuerName: "Self", subject: "CN=x", contentType: "text/plain" as "application/x-pem-file" }, /contentType/],
      [{ issuerName: "NoSuchIssuer", subject: "CN=x" }, /Issuer NoSuchIssuer does not exist/],
    ];
    for (const [policy, message] of cases) {
      const error = await rejection(certs.beginCreateCertificate("invalid-policy", policy, poll));
      expect(error.statusCode, JSON.stringify(policy)).toBe(400);
      expect(error.code).toBe("BadParameter");
      expect(error.message).toMatch(message);
    }
    expect(await listNames({ includePending: true })).not.toContain("invalid-policy");
  });
});

describe("the certificate's secret and key", () => {
  it("serves the certificate with its private key as a password-less PKCS#12 file that OpenSSL opens", async () => {
    const cert = await create("pfx-secret", { issuerName: "Self", subject: "CN=pfx" });
    const secret = await clients.secrets.getSecret("pfx-secret");
    expect(secret.properties).toMatchObject({
      contentType: "application/x-pkcs12",
      managed: true,
      certificateKeyId: cert.keyId,
      version: cert.properties.version,
    });
    const pem = opensslReadPfx(scratch(), Buffer.from(secret.value!, "base64"), "");
    const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)![0];
    const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)![0];
    expect(new X509Certificate(certPem).raw).toEqual(Buffer.from(cert.cer!));
    expect(new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
  });

  it("serves PEM text, private key first then the certificate, when the policy asks for application/x-pem-file", async () => {
    const cert = await create("pem-secret", { issuerName: "Self", subject: "CN=pem", contentType: "application/x-pem-file" });
    const secret = await clients.secrets.getSecret("pem-secret");
    expect(secret.properties.contentType).toBe("application/x-pem-file");
    const value = secret.value!;
    expect(value.startsWith("-----BEGIN PRIVATE KEY-----\n")).toBe(true);
    expect(value.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
    // The certificate's base64 body, as the SDK's own test reads it back.
    const body = value.split("\n").slice(0, -2).join("").split("-----BEGIN CERTIFICATE-----").at(-1);
    expect(body).toBe(Buffer.from(cert.cer!).toString("base64"));
    expect(new X509Certificate(value).checkPrivateKey(createPrivateKey(value))).toBe(true);
  });

  it("converts a PKCS#12 secret to PEM when getSecret asks (outContentType), and names the previous version", async () => {
    const first = await create("convertible", { issuerName: "Self", subject: "CN=convert" });
    const second = await create("convertible", { issuerName: "Self", subject: "CN=convert" });
    const pem = await clients.secrets.getSecret("convertible", { outContentType: "application/x-pem-file" });
    expect(pem.properties.contentType).toBe("application/x-pem-file");
    expect(new X509Certificate(pem.value!).raw).toEqual(Buffer.from(second.cer!));
    expect(new X509Certificate(pem.value!).checkPrivateKey(createPrivateKey(pem.value!))).toBe(true);
    expect(pem.properties.previousVersion).toBe(first.properties.version);
    expect((await clients.secrets.getSecret("convertible", { version: first.properties.version! })).properties.previousVersion).toBeUndefined();
    await clients.secrets.setSecret("plain-pfx-looking", "not a certificate", { contentType: "application/x-pkcs12" });
    expect((await rejection(clients.secrets.getSecret("plain-pfx-looking", { outContentType: "application/x-pem-file" }))).statusCode).toBe(400);
  });

  it("leaves the private key out of a non-exportable certificate's secret", async () => {
    const pfx = await create("pfx-noexport", { issuerName: "Self", subject: "CN=noexport", exportable: false });
    const pem = await create("pem-noexport", { issuerName: "Self", subject: "CN=noexport", exportable: false, contentType: "application/x-pem-file" });
    const pfxText = opensslReadPfx(scratch(), Buffer.from((await clients.secrets.getSecret("pfx-noexport")).value!, "base64"), "");
    expect(pfxText).toContain("BEGIN CERTIFICATE");
    expect(pfxText).not.toContain("PRIVATE KEY");
    const pemValue = (await clients.secrets.getSecret("pem-noexport")).value!;
    expect(pemValue).not.toContain("PRIVATE KEY");
    expect(new X509Certificate(pemValue).raw).toEqual(Buffer.from(pem.cer!));
    expect(pfx.policy?.exportable).toBe(false);
  });

  it("signs and decrypts with the certificate's key: results check out with the certificate's public key", async () => {
    const cert = await create("signer", { issuerName: "Self", subject: "CN=signer" });
    const publicKey = new X509Certificate(Buffer.from(cert.cer!)).publicKey;
    const key = await clients.keys.getKey("signer");
    expect(key.properties).toMatchObject({ managed: true, version: cert.properties.version });
    expect(key.keyOperations).toEqual(["sign", "verify", "wrapKey", "unwrapKey", "encrypt", "decrypt"]);
    const jwk = { kty: "RSA", n: Buffer.from(key.key!.n!).toString("base64url"), e: Buffer.from(key.key!.e!).toString("base64url") };
    expect(createPublicKey({ key: jwk, format: "jwk" }).equals(publicKey)).toBe(true);
    const crypto = clients.crypto(cert.keyId!);
    const signature = await crypto.sign("RS256", createHash("sha256").update("payload").digest());
    expect(verify("sha256", Buffer.from("payload"), publicKey, Buffer.from(signature.result))).toBe(true);
    const sealed = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from("for the vault"));
    expect(Buffer.from((await crypto.decrypt({ algorithm: "RSA-OAEP", ciphertext: sealed })).result).toString()).toBe("for the vault");
  });

  it("signs with an EC certificate's key verifiably with the certificate", async () => {
    const cert = await create("ec-signer", { issuerName: "Self", subject: "CN=ec", keyType: "EC", keyCurveName: "P-384" });
    const signature = await clients.crypto(cert.keyId!).sign("ES384", createHash("sha384").update("payload").digest());
    const publicKey = new X509Certificate(Buffer.from(cert.cer!)).publicKey;
    expect(verify("sha384", Buffer.from("payload"), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(signature.result))).toBe(true);
  });

  it("keeps the key and secret read-only: writing, deleting or backing them up alone is 403", async () => {
    await create("locked", { issuerName: "Self", subject: "CN=locked" });
    const attempts: [string, Promise<unknown>][] = [
      ["set", clients.secrets.setSecret("locked", "overwrite")],
      ["update", clients.secrets.updateSecretProperties("locked", "", { enabled: false })],
      ["delete", clients.secrets.beginDeleteSecret("locked", poll)],
      ["backup", clients.secrets.backupSecret("locked")],
    ];
    for (const [operation, attempt] of attempts) {
      const error = await rejection(attempt);
      expect(error.statusCode, operation).toBe(403);
      expect(error.message).toBe(`Operation "${operation}" is not allowed as this object's lifetime is managed by Key Vault.`);
    }
    const keyAttempts = [
      clients.keys.createRsaKey("locked"),
      clients.keys.updateKeyProperties("locked", { enabled: false }),
      clients.keys.rotateKey("locked"),
      clients.keys.beginDeleteKey("locked", poll),
      clients.keys.backupKey("locked"),
    ];
    for (const attempt of keyAttempts) expect((await rejection(attempt)).statusCode).toBe(403);
    expect((await clients.secrets.getSecret("locked")).value).toBeTruthy();
  });

  it("lists the certificate's secret and key among the others, marked managed", async () => {
    await create("listed-managed", { issuerName: "Self", subject: "CN=listed" });
    await clients.secrets.setSecret("plain-secret", "v");
    const secrets = new Map<string, boolean | undefined>();
    for await (const s of clients.secrets.listPropertiesOfSecrets()) secrets.set(s.name, s.managed);
    expect(secrets.get("listed-managed")).toBe(true);
    expect(secrets.get("plain-secret")).toBeUndefined();
    const keys = new Map<string, boolean | undefined>();
    for await (const k of clients.keys.listPropertiesOfKeys()) keys.set(k.name, k.managed);
    expect(keys.get("listed-managed")).toBe(true);
  });

  it("refuses a certificate named like an existing secret or key with 409", async () => {
    await clients.secrets.setSecret("taken-by-secret", "v");
    await clients.keys.createEcKey("taken-by-key");
    for (const name of ["taken-by-secret", "taken-by-key"]) {
      const error = await rejection(certs.beginCreateCertificate(name, { issuerName: "Self", subject: "CN=x" }, poll));
      expect(error.statusCode).toBe(409);
    }
  });
});

async function listNames(options: { includePending?: boolean } = {}): Promise<string[]> {
  const names: string[] = [];
  for await (const c of certs.listPropertiesOfCertificates(options)) names.push(c.name!);
  return names;
}

describe("get, list, versions, update", () => {
  it("gets the latest version and a given one, and answers 404 CertificateNotFound otherwise", async () => {
    const first = await create("versioned", { issuerName: "Self", subject: "CN=v1" });
    const second = await create("versioned", { issuerName: "Self", subject: "CN=v2" });
    expect((await certs.getCertificate("versioned")).properties.version).toBe(second.properties.version);
    const old = await certs.getCertificateVersion("versioned", first.properties.version!);
    expect(new X509Certificate(Buffer.from(old.cer!)).subject).toBe("CN=v1");
    // The secret and key keep each version too.
    expect((await clients.secrets.getSecret("versioned", { version: first.properties.version! })).properties.version).toBe(first.properties.version);
    const missing = await rejection(certs.getCertificate("never-created"));
    expect([missing.statusCode, missing.code]).toEqual([404, "CertificateNotFound"]);
    expect((await rejection(certs.getCertificateVersion("versioned", "0".repeat(32)))).statusCode).toBe(404);
  });

  it("lists certificates and a certificate's versions across pages of 25, with thumbprints and no recovery level", async () => {
    const names = Array.from({ length: 27 }, (_, i) => `paged-${String(i).padStart(2, "0")}`);
    for (const name of names) await create(name, { issuerName: "Self", subject: `CN=${name}`, keyType: "EC" });
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of certs.listPropertiesOfCertificates().byPage()) {
      pages.push(page.length);
      for (const c of page) {
        seen.push(c.name!);
        expect(c.x509Thumbprint?.length).toBe(20);
        expect(c.recoveryLevel).toBeUndefined();
      }
    }
    expect(pages[0]).toBe(25);
    expect(seen.filter((n) => n.startsWith("paged-"))).toEqual(names);

    for (let i = 0; i < 26; i++) await create("many-versions", { issuerName: "Self", subject: `CN=v${i}`, keyType: "EC" });
    const versionPages: number[] = [];
    for await (const page of certs.listPropertiesOfCertificateVersions("many-versions").byPage()) versionPages.push(page.length);
    expect(versionPages).toEqual([25, 1]);
  });

  it("updates tags and enabled; a disabled certificate's secret is 403 and its key refuses to sign", async () => {
    const cert = await create("toggle", { issuerName: "Self", subject: "CN=toggle" });
    const updated = await certs.updateCertificateProperties("toggle", "", { enabled: false, tags: { owner: "payments" } });
    expect(updated.properties).toMatchObject({ enabled: false, tags: { owner: "payments" } });
    expect((await certs.getCertificate("toggle")).properties.enabled).toBe(false);
    expect((await rejection(clients.secrets.getSecret("toggle"))).statusCode).toBe(403);
    expect((await clients.keys.getKey("toggle")).properties.enabled).toBe(false);
    expect((await rejection(clients.crypto(cert.keyId!).sign("RS256", Buffer.alloc(32)))).statusCode).toBe(403);
    await certs.updateCertificateProperties("toggle", cert.properties.version!, { enabled: true });
    expect((await clients.secrets.getSecret("toggle")).value).toBeTruthy();
  });
});

describe("policy", () => {
  it("gets and updates the policy; the next version follows it", async () => {
    await create("policy-follow", { issuerName: "Self", subject: "CN=before", validityInMonths: 6 });
    const policy = await certs.getCertificatePolicy("policy-follow");
    expect(policy).toMatchObject({ subject: "CN=before", validityInMonths: 6, issuerName: "Self" });
    // The SDK's updateCertificatePolicy (4.10.3) drops the response body, so the policy is read back.
    await certs.updateCertificatePolicy("policy-follow", {
      issuerName: "Self",
      subject: "CN=after",
      lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 20 }],
    });
    expect(await certs.getCertificatePolicy("policy-follow")).toMatchObject({
      subject: "CN=after",
      validityInMonths: 6,
      lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 20 }],
    });
    expect((await certs.getCertificate("policy-follow")).policy?.subject).toBe("CN=after");
    const next = await create("policy-follow", await certs.getCertificatePolicy("policy-follow"));
    expect(new X509Certificate(Buffer.from(next.cer!)).subject).toBe("CN=after");
    expect(
      (await rejection(certs.updateCertificatePolicy("policy-follow", { issuerName: "Self", subject: "CN=x", keySize: 1000, keyType: "RSA" }))).statusCode,
    ).toBe(400);
    expect((await rejection(certs.getCertificatePolicy("no-such-cert"))).statusCode).toBe(404);
  });
});

describe("the create poller", () => {
  let slow: TestVault;
  let slowCerts: CertificateClient;
  beforeAll(async () => {
    slow = await startTestVault({ lroSeconds: 3600 });
    slowCerts = certificateClient(slow);
  });
  afterAll(() => slow.kv.close());

  it("stays in progress until the vault's clock passes the issuance moment; the certificate exists meanwhile without X.509", async () => {
    const poller = await slowCerts.beginCreateCertificate("slow", { issuerName: "Self", subject: "CN=slow" }, poll);
    expect(poller.getResult()?.name).toBe("slow");
    await poller.poll();
    expect(poller.isDone()).toBe(false);
    const operation = await slowCerts.getCertificateOperation("slow");
    expect(operation.getOperationState().certificateOperation).toMatchObject({ status: "inProgress", cancellationRequested: false, issuerName: "Self" });
    const pending = await slowCerts.getCertificate("slow");
    expect(pending.cer).toBeUndefined();
    expect(pending.policy?.subject).toBe("CN=slow");
    const names: string[] = [];
    for await (const c of slowCerts.listPropertiesOfCertificates()) names.push(c.name!);
    expect(names).not.toContain("slow");
    for await (const c of slowCerts.listPropertiesOfCertificates({ includePending: true })) names.push(c.name!);
    expect(names).toContain("slow");

    // Stop, serialise, resume from the operation poller, then let the vault's clock pass.
    poller.stopPolling();
    const resumed = await slowCerts.getCertificateOperation("slow", { resumeFrom: operation.toString(), ...poll });
    slow.kv.clock.advance(3600);
    const done = await resumed.pollUntilDone();
    expect(done.cer?.length).toBeGreaterThan(0);
    expect(resumed.getOperationState().certificateOperation?.status).toBe("completed");
    expect(resumed.getOperationState().certificateOperation?.target).toBe(`${slow.url}/certificates/slow`);
    expect(done.properties.version).toBe(pending.properties.version);
  });

  it("refuses a second create or an import while one is in progress with 409", async () => {
    await slowCerts.beginCreateCertificate("busy", { issuerName: "Self", subject: "CN=busy" }, poll);
    const error = await rejection(slowCerts.beginCreateCertificate("busy", { issuerName: "Self", subject: "CN=busy" }, poll));
    expect(error.statusCode).toBe(409);
    expect(error.message).toMatch(/pending key vault certificate's status is inProgress/);
  });
});
