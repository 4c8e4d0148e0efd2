/**
 * @module Signatures over DER with node:crypto: the algorithm identifier and hash for a signing key (RSA
 * with SHA-256; ECDSA with the hash that matches the curve), so certificates and CSRs of every key type
 * Key Vault makes can be signed.
 */
import { sign, type KeyObject } from "node:crypto";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";

const ECDSA: Record<string, { oid: string; hash: string }> = {
  prime256v1: { oid: "1.2.840.10045.4.3.2", hash: "sha256" },
  secp256k1: { oid: "1.2.840.10045.4.3.2", hash: "sha256" },
  secp384r1: { oid: "1.2.840.10045.4.3.3", hash: "sha384" },
  secp521r1: { oid: "1.2.840.10045.4.3.4", hash: "sha512" },
};

const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";

export function signatureAlgorithm(key: KeyObject): { identifier: AlgorithmIdentifier; hash: string } {
  if (key.asymmetricKeyType === "rsa") {
    // RSA signature algorithms carry an explicit NULL parameter.
    return { identifier: new AlgorithmIdentifier({ algorithm: SHA256_WITH_RSA, parameters: null }), hash: "sha256" };
  }
  const curve = key.asymmetricKeyDetails?.namedCurve ?? "";
  const ecdsa = ECDSA[curve];
  if (key.asymmetricKeyType !== "ec" || !ecdsa) throw new Error(`cannot sign with a ${key.asymmetricKeyType} ${curve} key`);
  return { identifier: new AlgorithmIdentifier({ algorithm: ecdsa.oid }), hash: ecdsa.hash };
}

/** Signs DER bytes; ECDSA signatures come DER-encoded, as X.509 wants them. */
export function signDer(key: KeyObject, hash: string, data: ArrayBuffer): ArrayBuffer {
  const signature = sign(hash, Buffer.from(data), { key, dsaEncoding: "der" });
  return new Uint8Array(signature).buffer;
}
