/**
 * @module The local Key Vault's TLS material: a self-signed CA and a server certificate for 127.0.0.1 and
 * localhost signed by it. Made on first start; kept in the state folder when there is one, so clients that
 * trust the CA keep working across restarts.
 */
import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { signCertificate } from "./pki/certificate.js";
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  extendedKeyUsageExtension,
  keyUsageExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from "./pki/extensions.js";
import { parseName } from "./pki/names.js";
import { toPem } from "./pki/pem.js";

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

async function rsaKeyPair(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
}

export async function createTlsMaterial(): Promise<TlsMaterial> {
  const [caKeys, serverKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const validity = { notBefore: new Date(Date.now() - 3600_000), notAfter: new Date(Date.now() + TEN_YEARS_MS) };
  const caName = parseName("CN=kvguard local Key Vault CA");
  const ca = signCertificate({
    subject: caName,
    issuer: caName,
    publicKey: caKeys.publicKey,
    signingKey: caKeys.privateKey,
    ...validity,
    extensions: [basicConstraintsExtension(true, 0), keyUsageExtension(["keyCertSign", "cRLSign"]), subjectKeyIdentifierExtension(caKeys.publicKey)],
  });
  const server = signCertificate({
    subject: parseName("CN=localhost"),
    issuer: caName,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    ...validity,
    extensions: [
      basicConstraintsExtension(false),
      keyUsageExtension(["digitalSignature", "keyEncipherment"]),
      extendedKeyUsageExtension([SERVER_AUTH]),
      subjectAltNameExtension({ dns_names: ["localhost"], ipAddresses: ["127.0.0.1", "::1"] }, false)!,
      authorityKeyIdentifierExtension(caKeys.publicKey),
    ],
  });
  return {
    caPem: toPem("CERTIFICATE", ca),
    certPem: toPem("CERTIFICATE", server),
    keyPem: serverKeys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

const FILES = { caPem: "ca.pem", certPem: "server.pem", keyPem: "server-key.pem" } as const;

/** Loads the material from `dir`, or makes it and saves it there; without a dir it lives in memory only. */
export async function loadOrCreateTlsMaterial(dir?: string): Promise<TlsMaterial> {
  if (dir) {
    try {
      const [caPem, certPem, keyPem] = await Promise.all(Object.values(FILES).map((file) => readFile(join(dir, file), "utf8")));
      return { caPem: caPem!, certPem: certPem!, keyPem: keyPem! };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  const material = await createTlsMaterial();
  if (dir) {
    await mkdir(dir, { recursive: true });
    await Promise.all(
      (Object.keys(FILES) as (keyof typeof FILES)[]).map((k) => writeFile(join(dir, FILES[k]), material[k], { mode: k === "keyPem" ? 0o600 : 0o644 })),
    );
  }
  return material;
}
