/**
 * @module The local Key Vault's TLS material: a self-signed CA and a server certificate for 127.0.0.1 and
 * localhost signed by it. Made on first start; kept in the state folder when there is one, so clients that
 * trust the CA keep working across restarts.
 */
import { generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import forge from "node-forge";

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

// Key pairs come from node:crypto (native, off the main thread); forge only builds and signs the certificates.
async function rsaKeyPair(): Promise<forge.pki.rsa.KeyPair> {
  const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const key = forge.pki.privateKeyFromPem(pem);
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function newCertificate(publicKey: forge.pki.PublicKey, subject: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial in minimal DER: its first byte is 0x01-0x7f. A "0" nibble in front, as before,
  // sometimes gave a zero byte before one below 0x80, which OpenSSL refuses as "illegal padding".
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + TEN_YEARS_MS);
  cert.setSubject([{ name: "commonName", value: subject }]);
  return cert;
}

export async function createTlsMaterial(): Promise<TlsMaterial> {
  const [caKeys, serverKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const ca = newCertificate(caKeys.publicKey, "kvguard local Key Vault CA");
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const server = newCertificate(serverKeys.publicKey, "localhost");
  server.setIssuer(ca.subject.attributes);
  server.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 2, value: "localhost" },
        { type: 7, ip: "127.0.0.1" },
        { type: 7, ip: "::1" },
      ],
    },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(server),
    keyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}

const FILES = { caPem: "ca.pem", certPem: "server.pem", keyPem: "server-key.pem" } as const;

/** Loads the material from `dir`, or makes it and saves it there; without a dir it lives in memory only. */
export async function loadOrCreateTlsMaterial(dir?: string): Promise<TlsMaterial> {
  if (dir) {
    try {
      const [caPem, certPem, keyPem] = await Promise.all(
        Object.values(FILES).map((file) => readFile(join(dir, file), "utf8")),
      );
      return { caPem: caPem!, certPem: certPem!, keyPem: keyPem! };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  const material = await createTlsMaterial();
  if (dir) {
    await mkdir(dir, { recursive: true });
    await Promise.all(
      (Object.keys(FILES) as (keyof typeof FILES)[]).map((k) =>
        writeFile(join(dir, FILES[k]), material[k], { mode: k === "keyPem" ? 0o600 : 0o644 }),
      ),
    );
  }
  return material;
}
