/**
 * @module Importing certificates through CertificateClient: PKCS#12 files made by OpenSSL (AES with a
 * password, none, 3DES, EC, with a chain), PEM (as text and as the SDK base64-encodes it, encrypted key),
 * a certificate's own secret value round-tripped, and the refusals (wrong password, RC2, no key, garbage).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CertificateClient } from "@azure/keyvault-certificates";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { certificateClient, openssl, opensslPfx, opensslReadPfx, scratch } from "../helpers/certificates.js";
import { httpsRequest } from "../helpers/https.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";

let tv: TestVault;
let certs: CertificateClient;

beforeAll(async () => {
  tv = await startTestVault();
  certs = certificateClient(tv);
});
afterAll(() => tv.kv.close());

const RSA = ["-newkey", "rsa:2048"];

describe("PKCS#12", () => {
  it("imports an AES-encrypted PFX with its password; the policy comes from the X.509 and the password is not kept", async () => {
    const dir = scratch();
    const made = opensslPfx(dir, RSA, "/C=US/O=Contoso/CN=imported.contoso.com", ["-passout", "pass:pfx-pass-Q7"]);
    const cert = await certs.importCertificate("imported-aes", made.pfx, { password: "pfx-pass-Q7", tags: { source: "openssl" } });
    expect(new X509Certificate(Buffer.from(cert.cer!)).raw).toEqual(new X509Certificate(made.certPem).raw);
    expect(cert.properties.tags).toEqual({ source: "openssl" });
    expect(cert.policy).toMatchObject({
      subject: "CN=imported.contoso.com, O=Contoso, C=US",
      keyType: "RSA",
      keySize: 2048,
      exportable: true,
      issuerName: "Unknown",
      contentType: "application/x-pkcs12",
      validityInMonths: 1,
      lifetimeActions: [{ action: "EmailContacts", lifetimePercentage: 80 }],
    });
    // The secret is the certificate and key again, now without a password.
    const pem = opensslReadPfx(dir, Buffer.from((await tv.clients().secrets.getSecret("imported-aes")).value!, "base64"), "");
    expect(new X509Certificate(made.certPem).checkPrivateKey(createPrivateKey(pem))).toBe(true);
    expect(JSON.stringify(await certs.getCertificate("imported-aes"))).not.toContain("pfx-pass-Q7");
  });

  it.each([
    ["no password", ["-passout", "pass:"], undefined],
    ["3DES and a SHA-1 MAC", ["-passout", "pass:des-pass", "-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"], "des-pass"],
    ["no MAC", ["-passout", "pass:nomac-pass", "-nomac"], "nomac-pass"],
    ["nothing encrypted", ["-passout", "pass:", "-certpbe", "NONE", "-keypbe", "NONE"], undefined],
  ])("imports a PFX with %s", async (_label, exportArgs, password) => {
    const made = opensslPfx(scratch(), RSA, "/CN=variant", exportArgs);
    const cert = await certs.importCertificate(`variant-${exportArgs.length}-${password ?? "none"}`, made.pfx, password ? { password } : {});
    expect(Buffer.from(cert.cer!)).toEqual(new X509Certificate(made.certPem).raw);
  });

  it("imports an EC P-384 PFX; the key signs as the certificate says", async () => {
    const made = opensslPfx(scratch(), ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"], "/CN=ec-import", ["-passout", "pass:ec"]);
    const cert = await certs.importCertificate("imported-ec", made.pfx, { password: "ec" });
    expect(cert.policy).toMatchObject({ keyType: "EC", keyCurveName: "P-384" });
    expect((await tv.clients().keys.getKey("imported-ec")).key?.crv).toBe("P-384");
  });

  it("keeps the chain: leaf first by default, or in the file's order when asked", async () => {
    const dir = scratch();
    openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=import chain CA", "-days", "30"]);
    openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=chained"]);
    openssl(dir, ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "20"]);
    const leafPem = readFileSync(join(dir, "leaf.pem"), "utf8");
    const caPem = readFileSync(join(dir, "ca.pem"), "utf8");
    const keyPem = readFileSync(join(dir, "leaf.key"), "utf8");
    const pemOptions = { policy: { contentType: "application/x-pem-file" as const } };
    // The CA comes first in the file; the vault puts the leaf first.
    await certs.importCertificate("chained", Buffer.from(caPem + leafPem + keyPem), pemOptions);
    const chainOf = async (name: string) =>
      [...(await tv.clients().secrets.getSecret(name)).value!.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map(
        (m) => new X509Certificate(m[0]).subject,
      );
    expect(await chainOf("chained")).toEqual(["CN=chained", "CN=import chain CA"]);
    const kept = await certs.importCertificate("chained-kept", Buffer.from(caPem + leafPem + keyPem), { ...pemOptions, preserveCertificateOrder: true });
    expect(kept.properties.preserveCertificateOrder).toBe(true);
    expect(await chainOf("chained-kept")).toEqual(["CN=import chain CA", "CN=chained"]);
    expect(new X509Certificate(Buffer.from(kept.cer!)).subject).toBe("CN=chained");
  });

  it("refuses a wrong password, an RC2-encrypted (legacy) file, a file without a key, an absurd iteration count and garbage with 400, saying why", async () => {
    const dir = scratch();
    const aes = opensslPfx(dir, RSA, "/CN=refused", ["-passout", "pass:right"]);
    const wrong = await rejection(certs.importCertificate("refused", aes.pfx, { password: "wrong" }));
    expect([wrong.statusCode, wrong.code]).toEqual([400, "BadParameter"]);
    expect(wrong.message).toMatch(/password is wrong/);
    const legacy = opensslPfx(dir, RSA, "/CN=legacy", ["-passout", "pass:old", "-legacy"]);
    const rc2 = await rejection(certs.importCertificate("refused", legacy.pfx, { password: "old" }));
    expect(rc2.message).toMatch(/RC2 .*re-export it with AES/);
    openssl(dir, ["pkcs12", "-export", "-in", "cert.pem", "-nokeys", "-out", "nokey.p12", "-passout", "pass:"]);
    const noKey = await rejection(certs.importCertificate("refused", readFileSync(join(dir, "nokey.p12"))));
    expect(noKey.message).toMatch(/no private key/);
    const costly = opensslPfx(dir, RSA, "/CN=costly", ["-passout", "pass:x", "-iter", "1000001"]);
    expect((await rejection(certs.importCertificate("refused", costly.pfx, { password: "x" }))).message).toMatch(/iteration count of 1000001/);
    expect((await rejection(certs.importCertificate("refused", Buffer.from("not a certificate at all")))).statusCode).toBe(400);
    expect((await rejection(certs.getCertificate("refused"))).statusCode).toBe(404);
  });
});

describe("PEM", () => {
  it("imports PEM text when the policy says application/x-pem-file, and serves PEM back", async () => {
    const made = opensslPfx(scratch(), RSA, "/CN=pem-import", ["-passout", "pass:"]);
    const cert = await certs.importCertificate("pem-import", Buffer.from(made.keyPem + made.certPem), { policy: { contentType: "application/x-pem-file" } });
    expect(Buffer.from(cert.cer!)).toEqual(new X509Certificate(made.certPem).raw);
    const secret = await tv.clients().secrets.getSecret("pem-import");
    expect(secret.properties.contentType).toBe("application/x-pem-file");
    expect(createPrivateKey(secret.value!).export({ format: "jwk" })).toEqual(createPrivateKey(made.keyPem).export({ format: "jwk" }));
  });

  it("imports PEM sent without a content type (the SDK then base64-encodes the text) and an encrypted PEM key with its password", async () => {
    const dir = scratch();
    const made = opensslPfx(dir, RSA, "/CN=pem-b64", ["-passout", "pass:"]);
    await certs.importCertificate("pem-b64", Buffer.from(made.certPem + made.keyPem));
    openssl(dir, ["pkcs8", "-topk8", "-in", "key.pem", "-out", "enc.pem", "-passout", "pass:pem-pass"]);
    const encrypted = readFileSync(join(dir, "enc.pem"), "utf8");
    const cert = await certs.importCertificate("pem-encrypted", Buffer.from(encrypted + made.certPem), {
      password: "pem-pass",
      policy: { contentType: "application/x-pem-file" },
    });
    expect(Buffer.from(cert.cer!)).toEqual(new X509Certificate(made.certPem).raw);
    expect(
      (
        await rejection(
          certs.importCertificate("pem-encrypted-2", Buffer.from(encrypted + made.certPem), { policy: { contentType: "application/x-pem-file" } }),
        )
      ).statusCode,
    ).toBe(400);
  });
});

describe("round trips, as the SDK's own tests do", () => {
  it("imports another certificate's secret value, as bytes and as its base64 text", async () => {
    const source = await (
      await certs.beginCreateCertificate("round-source", { issuerName: "Self", subject: "CN=round" }, { intervalInMs: 10 })
    ).pollUntilDone();
    const value = (await tv.clients().secrets.getSecret("round-source")).value!;
    const fromBytes = await certs.importCertificate("round-bytes", Buffer.from(value, "base64"));
    const fromText = await certs.importCertificate("round-text", Buffer.from(value), {
      policy: { subject: "a conceptual policy", contentType: "application/x-pem-file" },
    });
    expect(Buffer.from(fromBytes.cer!)).toEqual(Buffer.from(source.cer!));
    expect(Buffer.from(fromText.cer!)).toEqual(Buffer.from(source.cer!));
    // The SDK (4.10.3) does not send an import's policy: the certificate keeps its own subject, and its
    // secret the format it came in.
    expect(fromText.policy).toMatchObject({ subject: "CN=round", contentType: "application/x-pkcs12" });
  });
});

describe("an import's policy (which the SDK does not send: checked over REST)", () => {
  it("keeps the policy's exportable flag, lifetime actions and enabled attribute", async () => {
    const made = opensslPfx(scratch(), RSA, "/CN=rest-import", ["-passout", "pass:"]);
    const token = (await new DevTokenCredential({ name: "rest-importer" }).getToken("https://vault.azure.net/.default")).token;
    const res = await httpsRequest(`${tv.url}/certificates/rest-import/import?api-version=2025-07-01`, {
      method: "POST",
      ca: tv.kv.tls.caPem,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        value: made.pfx.toString("base64"),
        policy: { key_props: { exportable: false }, lifetime_actions: [{ trigger: { days_before_expiry: 10 }, action: { action_type: "EmailContacts" } }] },
        attributes: { enabled: false },
      }),
    });
    expect(res.status).toBe(200);
    const cert = await certs.getCertificate("rest-import");
    expect(cert.policy).toMatchObject({ exportable: false, lifetimeActions: [{ action: "EmailContacts", daysBeforeExpiry: 10 }] });
    expect(cert.properties.enabled).toBe(false);
  });
});
