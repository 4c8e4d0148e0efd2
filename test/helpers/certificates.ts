/**
 * Certificate test tools: a CertificateClient for a test vault (configured as kvguard configures its other
 * clients), OpenSSL for PKCS#12 files and checks made the way the world makes them, and a test CA that
 * signs CSRs (@peculiar/x509 over node's WebCrypto), independent of the emulator's own PKI code.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { webcrypto } from "node:crypto";
import { CertificateClient } from "@azure/keyvault-certificates";
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { DevTokenCredential, type DevIdentity } from "../../src/azure/devCredential.js";
import { clientOptions } from "../../src/azure/keyVaultClients.js";
import type { TestVault } from "./localVault.js";
import { DAY_MS } from "../../src/common/duration.js";

x509.cryptoProvider.set(webcrypto as Crypto);

export function certificateClient(tv: TestVault, identity: DevIdentity = { name: "test-app" }, vaultName?: string): CertificateClient {
  const vaultUrl = vaultName ? tv.kv.urls[vaultName]! : tv.url;
  const credential = new DevTokenCredential(identity);
  return new CertificateClient(vaultUrl, credential, clientOptions({ vaultUrl, credential, ca: tv.kv.tls.caPem, retryOptions: { maxRetries: 0 } }));
}

/** A scratch folder for OpenSSL's files. */
export function scratch(): string {
  return mkdtempSync(join(tmpdir(), "kvguard-certs-"));
}

/** Runs openssl in `dir`; returns stdout. Throws with OpenSSL's stderr when it fails. */
export function openssl(dir: string, args: string[]): Buffer {
  return execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

export interface OpensslPfx {
  pfx: Buffer;
  certPem: string;
  keyPem: string;
}

/** A self-signed certificate and key made by OpenSSL, packed as PKCS#12 with `exportArgs` (password, ciphers). */
export function opensslPfx(dir: string, keyArgs: string[], subject: string, exportArgs: string[], days = 30): OpensslPfx {
  openssl(dir, ["req", "-x509", ...keyArgs, "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-subj", subject, "-days", String(days)]);
  openssl(dir, ["pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem", "-out", "out.p12", ...exportArgs]);
  return { pfx: readFileSync(join(dir, "out.p12")), certPem: readFileSync(join(dir, "cert.pem"), "utf8"), keyPem: readFileSync(join(dir, "key.pem"), "utf8") };
}

/** What OpenSSL reads from a PFX with the given password: the PEM of its certificates and key. */
export function opensslReadPfx(dir: string, pfx: Buffer, password: string): string {
  writeFileSync(join(dir, "read.p12"), pfx);
  return openssl(dir, ["pkcs12", "-in", "read.p12", "-passin", `pass:${password}`, "-nodes"]).toString("utf8");
}

const RSA_SHA256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

/** A CA outside the vault, as a team's own or a public CA would be. */
export class TestCa {
  private constructor(
    readonly certificate: x509.X509Certificate,
    private readonly keys: CryptoKeyPair,
  ) {}

  static async create(name = "CN=kvguard test CA"): Promise<TestCa> {
    const keys = await webcrypto.subtle.generateKey(RSA_SHA256, false, ["sign", "verify"]);
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      name,
      keys,
      signingAlgorithm: RSA_SHA256,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 365 * DAY_MS),
      extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
    });
    return new TestCa(certificate, keys);
  }

  get der(): Buffer {
    return Buffer.from(this.certificate.rawData);
  }

  /** Signs a CSR (DER), keeping the extensions it requests; fails if the CSR's own signature is bad. */
  async sign(csrDer: Uint8Array, days = 90): Promise<Buffer> {
    const csr = new x509.Pkcs10CertificateRequest(new Uint8Array(csrDer));
    if (!(await csr.verify())) throw new Error("the CSR's signature does not verify");
    const cert = await x509.X509CertificateGenerator.create({
      subject: csr.subjectName,
      issuer: this.certificate.subjectName,
      publicKey: csr.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: RSA_SHA256,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + days * DAY_MS),
      extensions: csr.extensions,
    });
    return Buffer.from(cert.rawData);
  }
}

/** Key usage names an X.509 certificate (or CSR extension list) carries, as Key Vault names them. */
export function keyUsages(extensions: readonly x509.Extension[]): string[] {
  const ext = extensions.find((e) => e instanceof x509.KeyUsagesExtension);
  if (!ext) return [];
  const names: [string, number][] = [
    ["digitalSignature", x509.KeyUsageFlags.digitalSignature],
    ["nonRepudiation", x509.KeyUsageFlags.nonRepudiation],
    ["keyEncipherment", x509.KeyUsageFlags.keyEncipherment],
    ["dataEncipherment", x509.KeyUsageFlags.dataEncipherment],
    ["keyAgreement", x509.KeyUsageFlags.keyAgreement],
    ["keyCertSign", x509.KeyUsageFlags.keyCertSign],
    ["cRLSign", x509.KeyUsageFlags.cRLSign],
  ];
  return names.filter(([, flag]) => (ext.usages & flag) !== 0).map(([name]) => name);
}

export function extendedKeyUsages(extensions: readonly x509.Extension[]): string[] {
  const ext = extensions.find((e) => e instanceof x509.ExtendedKeyUsageExtension);
  return ext ? ext.usages.map(String) : [];
}

/** The values of a certificate's or CSR's subject alternative names. */
export function altNames(extensions: readonly x509.Extension[]): string[] {
  const ext = extensions.find((e) => e instanceof x509.SubjectAlternativeNameExtension);
  return ext ? ext.names.items.map((n) => n.value) : [];
}

export { x509 };
