/**
 * @module RSA as Key Vault does it. Key Vault signs a digest the caller computed, which node's sign API
 * cannot (it hashes its input), so signatures are built from raw RSA: PKCS#1 v1.5 as DigestInfo || digest
 * under type-1 padding, PSS by encoding EMSA-PSS here (salt as long as the hash, MGF1 with the same hash,
 * as RFC 7518 fixes for PS256/384/512). RSA1_5 decryption removes the padding here too, since Node 20
 * refuses privateDecrypt with PKCS#1 v1.5 padding (CVE-2023-46809).
 */
import { constants, createHash, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

export type Hash = "sha1" | "sha256" | "sha384" | "sha512";
export type RsaEncryption = "RSA-OAEP" | "RSA-OAEP-256" | "RSA1_5";
/** `pkcs1` with no hash is RSNULL: the value is signed as given, with no DigestInfo. */
export type RsaSignature = { scheme: "pkcs1"; hash?: "sha256" | "sha384" | "sha512" } | { scheme: "pss"; hash: "sha256" | "sha384" | "sha512" };

/** DER prefixes of DigestInfo (RFC 8017, section 9.2, note 1). */
const DIGEST_INFO = {
  sha256: Buffer.from("3031300d060960864801650304020105000420", "hex"),
  sha384: Buffer.from("3041300d060960864801650304020205000430", "hex"),
  sha512: Buffer.from("3051300d060960864801650304020305000440", "hex"),
};

const OAEP_HASH: Record<Exclude<RsaEncryption, "RSA1_5">, Hash> = { "RSA-OAEP": "sha1", "RSA-OAEP-256": "sha256" };

function modulusBits(key: KeyObject): number {
  return key.asymmetricKeyDetails!.modulusLength!;
}

function hashOf(hash: Hash, ...parts: Buffer[]): Buffer {
  const h = createHash(hash);
  for (const part of parts) h.update(part);
  return h.digest();
}

function mgf1(seed: Buffer, length: number, hash: Hash): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let i = 0, produced = 0; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = hashOf(hash, seed, counter);
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]!));
}

/** EMSA-PSS-ENCODE (RFC 8017, section 9.1.1) with sLen = hLen. */
function pssEncode(digest: Buffer, hash: Hash, emBits: number): Buffer {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = hashOf(hash, Buffer.alloc(8), digest, salt);
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const maskedDb = xor(db, mgf1(h, emLen - hLen - 1, hash));
  maskedDb[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([maskedDb, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017, section 9.1.2) with sLen = hLen. */
function pssVerify(digest: Buffer, em: Buffer, hash: Hash, emBits: number): boolean {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  const topBits = (0xff << (8 - (8 * emLen - emBits))) & 0xff;
  if (em.length !== emLen || emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc || (em[0]! & topBits) !== 0) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const db = xor(maskedDb, mgf1(h, maskedDb.length, hash));
  db[0]! &= ~topBits & 0xff;
  const separator = emLen - 2 * hLen - 2;
  if (db.subarray(0, separator).some((b) => b !== 0) || db[separator] !== 1) return false;
  const expected = hashOf(hash, Buffer.alloc(8), digest, db.subarray(separator + 1));
  return timingSafeEqual(expected, h);
}

/** Left-pads to the modulus length, as raw RSA takes exactly k bytes. */
function toModulusLength(data: Buffer, key: KeyObject): Buffer {
  const k = Math.ceil(modulusBits(key) / 8);
  return data.length >= k ? data : Buffer.concat([Buffer.alloc(k - data.length), data]);
}

export function rsaSign(key: KeyObject, signature: RsaSignature, digest: Buffer): Buffer {
  if (signature.scheme === "pkcs1") {
    const payload = signature.hash ? Buffer.concat([DIGEST_INFO[signature.hash], digest]) : digest;
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, payload);
  }
  const em = pssEncode(digest, signature.hash, modulusBits(key) - 1);
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, toModulusLength(em, key));
}

export function rsaVerify(key: KeyObject, signature: RsaSignature, digest: Buffer, value: Buffer): boolean {
  if (value.length !== Math.ceil(modulusBits(key) / 8)) return false;
  try {
    if (signature.scheme === "pkcs1") {
      const expected = signature.hash ? Buffer.concat([DIGEST_INFO[signature.hash], digest]) : digest;
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, value);
      return recovered.length === expected.length && timingSafeEqual(recovered, expected);
    }
    const emBits = modulusBits(key) - 1;
    const emLen = Math.ceil(emBits / 8);
    const raw = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, value);
    // When the modulus is 8n + 1 bits the encoded message is one byte shorter than it, after a zero.
    if (raw.length > emLen && raw[0] !== 0) return false;
    return pssVerify(digest, raw.subarray(raw.length - emLen), signature.hash, emBits);
  } catch {
    return false;
  }
}

export function rsaEncrypt(key: KeyObject, algorithm: RsaEncryption, plaintext: Buffer): Buffer {
  if (algorithm === "RSA1_5") return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, plaintext);
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm] }, plaintext);
}

/** Returns undefined when the ciphertext does not decrypt under this key and padding. */
export function rsaDecrypt(key: KeyObject, algorithm: RsaEncryption, ciphertext: Buffer): Buffer | undefined {
  try {
    if (algorithm !== "RSA1_5") {
      return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm] }, ciphertext);
    }
    if (ciphertext.length !== Math.ceil(modulusBits(key) / 8)) return undefined;
    return removePkcs1Type2(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, ciphertext));
  } catch {
    return undefined;
  }
}

/** EME-PKCS1-v1_5 decoding (RFC 8017, section 7.2.2): 00 02 PS(>= 8 non-zero bytes) 00 M. */
function removePkcs1Type2(em: Buffer): Buffer | undefined {
  if (em[0] !== 0 || em[1] !== 2) return undefined;
  const separator = em.indexOf(0, 2);
  if (separator < 10) return undefined;
  return em.subarray(separator + 1);
}
