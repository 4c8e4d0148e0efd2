/**
 * @module Key Vault's algorithms for vault keys: which key each applies to, the digest length each
 * expects, and the operation itself. A wrong pairing or digest length is 400 BadParameter, as in the service.
 */
import { errors } from "../../http/errors.js";
import { privateKey } from "../material.js";
import { keyFamily, type KeyVersion } from "../model.js";
import { ecSign, ecVerify } from "./ec.js";
import { rsaDecrypt, rsaEncrypt, rsaSign, rsaVerify, type RsaEncryption, type RsaSignature } from "./rsa.js";

// Maps, not object literals, so a name such as "constructor" is not found on a prototype.
const RSA_SIGNATURES = new Map<string, { signature: RsaSignature; digestBytes?: number }>(
  Object.entries({
    RS256: { signature: { scheme: "pkcs1", hash: "sha256" }, digestBytes: 32 },
    RS384: { signature: { scheme: "pkcs1", hash: "sha384" }, digestBytes: 48 },
    RS512: { signature: { scheme: "pkcs1", hash: "sha512" }, digestBytes: 64 },
    PS256: { signature: { scheme: "pss", hash: "sha256" }, digestBytes: 32 },
    PS384: { signature: { scheme: "pss", hash: "sha384" }, digestBytes: 48 },
    PS512: { signature: { scheme: "pss", hash: "sha512" }, digestBytes: 64 },
    // RSNULL signs the value as given (PKCS#1 v1.5 without DigestInfo), for TLS-style callers.
    RSNULL: { signature: { scheme: "pkcs1" } },
  }),
);

/** Each ECDSA algorithm is tied to one curve (node:crypto's name), as Key Vault enforces. */
const EC_SIGNATURES = new Map<string, { curve: string; digestBytes: number }>(
  Object.entries({
    ES256: { curve: "P-256", digestBytes: 32 },
    ES256K: { curve: "secp256k1", digestBytes: 32 },
    ES384: { curve: "P-384", digestBytes: 48 },
    ES512: { curve: "P-521", digestBytes: 64 },
  }),
);

const RSA_ENCRYPTIONS: readonly string[] = ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] satisfies RsaEncryption[];

/** Room PKCS#1 v1.5 type-1 padding needs around an RSNULL value. */
const PKCS1_OVERHEAD = 11;

function unsupported(algorithm: string, version: KeyVersion): never {
  const known = RSA_SIGNATURES.has(algorithm) || EC_SIGNATURES.has(algorithm) || RSA_ENCRYPTIONS.includes(algorithm);
  throw errors.badParameter(known ? `Algorithm ${algorithm} is not supported for this ${version.kty} key.` : `Invalid algorithm: ${algorithm}.`);
}

function checkDigest(algorithm: string, digest: Buffer, expected: number): void {
  if (digest.length !== expected) {
    throw errors.badParameter(`Invalid digest length ${digest.length} for algorithm ${algorithm}: expected ${expected} bytes.`);
  }
}

type ResolvedSignature = { family: "RSA"; signature: RsaSignature } | { family: "EC" };

/** The signature algorithm as it applies to this key, after checking the pairing and the digest. */
function resolveSignature(version: KeyVersion, algorithm: string, digest: Buffer): ResolvedSignature {
  if (keyFamily(version.kty) === "RSA") {
    const rsa = RSA_SIGNATURES.get(algorithm);
    if (!rsa) unsupported(algorithm, version);
    if (rsa.digestBytes) checkDigest(algorithm, digest, rsa.digestBytes);
    else if (digest.length > Buffer.from(version.jwk.n!, "base64url").length - PKCS1_OVERHEAD) {
      throw errors.badParameter(`The value is too long for algorithm ${algorithm} with this key.`);
    }
    return { family: "RSA", signature: rsa.signature };
  }
  const ec = EC_SIGNATURES.get(algorithm);
  if (!ec || ec.curve !== version.jwk.crv) unsupported(algorithm, version);
  checkDigest(algorithm, digest, ec.digestBytes);
  return { family: "EC" };
}

export function sign(version: KeyVersion, algorithm: string, digest: Buffer): Buffer {
  const resolved = resolveSignature(version, algorithm, digest);
  return resolved.family === "RSA" ? rsaSign(privateKey(version.jwk), resolved.signature, digest) : ecSign(version.jwk, digest);
}

export function verify(version: KeyVersion, algorithm: string, digest: Buffer, signature: Buffer): boolean {
  const resolved = resolveSignature(version, algorithm, digest);
  return resolved.family === "RSA" ? rsaVerify(privateKey(version.jwk), resolved.signature, digest, signature) : ecVerify(version.jwk, digest, signature);
}

function encryption(version: KeyVersion, algorithm: string): RsaEncryption {
  if (keyFamily(version.kty) !== "RSA" || !RSA_ENCRYPTIONS.includes(algorithm)) unsupported(algorithm, version);
  return algorithm as RsaEncryption;
}

/** Encrypt and wrapKey: the same RSA operation under Key Vault's two names. */
export function encrypt(version: KeyVersion, algorithm: string, plaintext: Buffer): Buffer {
  const padding = encryption(version, algorithm);
  try {
    return rsaEncrypt(privateKey(version.jwk), padding, plaintext);
  } catch {
    throw errors.badParameter(`The value is too long for algorithm ${algorithm} with this key.`);
  }
}

/** Decrypt and unwrapKey. */
export function decrypt(version: KeyVersion, algorithm: string, ciphertext: Buffer): Buffer {
  const plaintext = rsaDecrypt(privateKey(version.jwk), encryption(version, algorithm), ciphertext);
  if (!plaintext) throw errors.badParameter(`The value could not be decrypted with this key and algorithm ${algorithm}.`);
  return plaintext;
}
