/**
 * @module ECDSA over a caller-supplied digest. node:crypto hashes whatever it signs, so signing uses
 * @noble/curves with prehashing off. Signatures are raw r || s, each as wide as the curve order (JWS form).
 */
import type { JsonWebKey as NodeJwk } from "node:crypto";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";

/** node:crypto curve name → noble curve and its field width in bytes. */
const CURVES = {
  "P-256": { curve: p256, bytes: 32 },
  "P-384": { curve: p384, bytes: 48 },
  "P-521": { curve: p521, bytes: 66 },
  secp256k1: { curve: secp256k1, bytes: 32 },
} as const;

function curveOf(jwk: NodeJwk) {
  const entry = CURVES[jwk.crv as keyof typeof CURVES];
  if (!entry) throw new Error(`unsupported curve ${jwk.crv}`);
  return entry;
}

function fixedWidth(field: string, bytes: number): Uint8Array {
  const raw = Buffer.from(field, "base64url");
  return raw.length >= bytes ? raw : Buffer.concat([Buffer.alloc(bytes - raw.length), raw]);
}

export function ecSign(jwk: NodeJwk, digest: Buffer): Buffer {
  const { curve, bytes } = curveOf(jwk);
  const signature = curve.sign(digest, fixedWidth(jwk.d!, bytes), { prehash: false });
  return Buffer.from(signature.toCompactRawBytes());
}

export function ecVerify(jwk: NodeJwk, digest: Buffer, signature: Buffer): boolean {
  const { curve, bytes } = curveOf(jwk);
  if (signature.length !== 2 * bytes) return false;
  const publicKey = Buffer.concat([Buffer.from([4]), fixedWidth(jwk.x!, bytes), fixedWidth(jwk.y!, bytes)]);
  try {
    // lowS off: a valid high-S signature made elsewhere still verifies, as it does with node:crypto.
    return curve.verify(signature, digest, publicKey, { prehash: false, lowS: false, format: "compact" });
  } catch {
    return false;
  }
}
