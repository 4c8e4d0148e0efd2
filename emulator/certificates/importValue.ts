/**
 * @module What an import hands over: a PFX (base64) or PEM text (as is, or base64 of it, which is what the
 * SDK sends when no content type is given), with or without a password. Yields the private key and the
 * certificates with the leaf (the one whose public key is the private key's) first, unless the order is
 * to be kept.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type JsonWebKey as NodeJwk, type KeyObject } from "node:crypto";
import { errors } from "../http/errors.js";
import { rsaBits, rsaSpec } from "../keys/material.js";
import { PkcsError } from "../pki/pbe.js";
import { looksLikePem, pemBlocks } from "../pki/pem.js";
import { readPfx } from "../pki/pkcs12.js";
import { PEM, PKCS12, type CertificatePolicy } from "./model.js";

export interface ImportedMaterial {
  jwk: NodeJwk;
  keyFields: Pick<CertificatePolicy["key_props"], "kty" | "key_size" | "crv">;
  leaf: Buffer;
  /** All certificates, leaf first unless the order is preserved. */
  chain: Buffer[];
  /** The format the value came in. */
  contentType: typeof PEM | typeof PKCS12;
}

const KEY_TYPES: Record<string, "pkcs8" | "pkcs1" | "sec1"> = {
  "PRIVATE KEY": "pkcs8",
  "ENCRYPTED PRIVATE KEY": "pkcs8",
  "RSA PRIVATE KEY": "pkcs1",
  "EC PRIVATE KEY": "sec1",
};

/** node:crypto's JWK curve names → Key Vault's. */
const CURVES: Record<string, CertificatePolicy["key_props"]["crv"]> = { "P-256": "P-256", "P-384": "P-384", "P-521": "P-521", secp256k1: "P-256K" };

function fromPem(text: string, password: string | undefined): { key?: KeyObject; certificates: Buffer[] } {
  const blocks = pemBlocks(text);
  const keyBlock = blocks.find((b) => b.label in KEY_TYPES);
  let key: KeyObject | undefined;
  if (keyBlock) {
    try {
      key = createPrivateKey({ key: keyBlock.der, format: "der", type: KEY_TYPES[keyBlock.label]!, ...(password ? { passphrase: password } : {}) });
    } catch {
      throw errors.badParameter(
        `The PEM's private key (${keyBlock.label}) cannot be read${keyBlock.label.startsWith("ENCRYPTED") ? ": the password is wrong or missing" : ""}.`,
      );
    }
  }
  return { ...(key ? { key } : {}), certificates: blocks.filter((b) => b.label === "CERTIFICATE").map((b) => b.der) };
}

function decode(value: string, password: string | undefined): { key?: KeyObject; certificates: Buffer[]; contentType: typeof PEM | typeof PKCS12 } {
  if (looksLikePem(value)) return { ...fromPem(value, password), contentType: PEM };
  const bytes = Buffer.from(value.trim(), "base64");
  if (looksLikePem(bytes.toString("latin1"))) return { ...fromPem(bytes.toString("utf8"), password), contentType: PEM };
  if (bytes[0] !== 0x30) throw errors.badParameter("The certificate value is neither PEM text nor a base64-encoded PKCS#12 (PFX) file.");
  try {
    return { ...readPfx(bytes, password ?? ""), contentType: PKCS12 };
  } catch (error) {
    if (error instanceof PkcsError) throw errors.badParameter(`The PKCS#12 (PFX) file cannot be read: ${error.message}.`);
    throw error;
  }
}

function keyFields(jwk: NodeJwk): ImportedMaterial["keyFields"] {
  try {
    if (jwk.kty === "RSA") {
      const size = rsaBits(jwk);
      rsaSpec(size);
      return { kty: "RSA", key_size: size };
    }
    const curve = CURVES[jwk.crv ?? ""];
    if (!curve) throw new Error("unsupported curve");
    return { kty: "EC", crv: curve };
  } catch {
    throw errors.badParameter("The certificate's key is not one Key Vault holds: RSA 2048, 3072 or 4096 bits, or EC P-256, P-384, P-521 or P-256K.");
  }
}

export function readImport(value: string, password: string | undefined, preserveOrder: boolean): ImportedMaterial {
  const { key, certificates, contentType } = decode(value, password);
  if (!key) throw errors.badParameter("The certificate value has no private key: Key Vault imports a certificate with its private key.");
  if (!certificates.length) throw errors.badParameter("The certificate value has no X.509 certificate.");
  const publicKey = createPublicKey(key);
  const leafIndex = certificates.findIndex((der) => x509(der).publicKey.equals(publicKey));
  if (leafIndex < 0) throw errors.badParameter("No certificate in the value matches its private key.");
  const leaf = certificates[leafIndex]!;
  const chain = preserveOrder ? certificates : [leaf, ...certificates.filter((_, i) => i !== leafIndex)];
  const jwk = key.export({ format: "jwk" });
  return { jwk, keyFields: keyFields(jwk), leaf, chain, contentType };
}

function x509(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw errors.badParameter("A certificate in the value is not a valid X.509 certificate.");
  }
}
