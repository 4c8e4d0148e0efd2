/**
 * @module Password-based encryption as PKCS#12 files use it, with node:crypto: PBES2 (PBKDF2 with
 * HMAC-SHA-1/2, then AES-CBC or 3DES: what OpenSSL 3, Java and Windows' AES option write) and PKCS#12's
 * own 3DES scheme (Windows' TripleDES option, .NET); the PKCS#12 key derivation also keys the file's MAC.
 * RC2 and RC4 (written by OpenSSL 1.x and old Windows exports) are refused by name: node:crypto no longer
 * carries them.
 */
import { createDecipheriv, createHash, pbkdf2Sync } from "node:crypto";
import * as asn1js from "asn1js";
import type { AlgorithmIdentifier } from "@peculiar/asn1-x509";

export class PkcsError extends Error {}

/** Far above what exporters use (OpenSSL 2048, Windows 10000, Java 10000): a file asking for more is refused, not computed for minutes. */
const MAX_ITERATIONS = 1_000_000;

export function assertIterations(iterations: number): number {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new PkcsError(`an iteration count of ${iterations} is outside 1 to ${MAX_ITERATIONS}`);
  }
  return iterations;
}

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
/** PKCS#12 PBE schemes (RFC 7292 appendix C) → node cipher and key length; null: known but unsupported. */
const PKCS12_PBE: Record<string, { cipher: string; keyLength: number; ivLength: number } | { unsupported: string }> = {
  "1.2.840.113549.1.12.1.1": { unsupported: "RC4 (128 bit)" },
  "1.2.840.113549.1.12.1.2": { unsupported: "RC4 (40 bit)" },
  "1.2.840.113549.1.12.1.3": { cipher: "des-ede3-cbc", keyLength: 24, ivLength: 8 },
  "1.2.840.113549.1.12.1.4": { cipher: "des-ede-cbc", keyLength: 16, ivLength: 8 },
  "1.2.840.113549.1.12.1.5": { unsupported: "RC2 (128 bit)" },
  "1.2.840.113549.1.12.1.6": { unsupported: "RC2 (40 bit)" },
};
const HMAC_PRF: Record<string, string> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.8": "sha224",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};
const PBES2_CIPHERS: Record<string, { cipher: string; keyLength: number }> = {
  "2.16.840.1.101.3.4.1.2": { cipher: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { cipher: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { cipher: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { cipher: "des-ede3-cbc", keyLength: 24 },
};

/** Hash OIDs a PKCS#12 MAC names (DigestInfo's algorithm). */
export const MAC_HASHES: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

/** The password as PKCS#12 keys its own schemes with: UTF-16BE with a two-byte terminator. */
export function bmpPassword(password: string): Buffer {
  const utf16 = Buffer.from(password, "utf16le");
  utf16.swap16();
  return Buffer.concat([utf16, Buffer.alloc(2)]);
}

/** RFC 7292 appendix B.2: `id` 1 derives keys, 2 IVs, 3 MAC keys. */
export function pkcs12Kdf(password: Buffer, salt: Buffer, id: 1 | 2 | 3, iterations: number, hash: string, length: number): Buffer {
  const u = createHash(hash).digest().length;
  const v = u > 32 ? 128 : 64;
  const fill = (source: Buffer) => {
    const size = v * Math.ceil(source.length / v);
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const input = Buffer.concat([salt.length ? fill(salt) : Buffer.alloc(0), password.length ? fill(password) : Buffer.alloc(0)]);
  const diversifier = Buffer.alloc(v, id);
  const out: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let a = createHash(hash).update(diversifier).update(input).digest();
    for (let r = 1; r < iterations; r++) a = createHash(hash).update(a).digest();
    out.push(a);
    const b = fill(a);
    for (let j = 0; j < input.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[j + k]! + b[k]! + carry;
        input[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, length);
}

function sequence(der: ArrayBuffer | undefined | null, what: string): asn1js.AsnType[] {
  const parsed = der ? asn1js.fromBER(der).result : undefined;
  if (!(parsed instanceof asn1js.Sequence)) throw new PkcsError(`malformed ${what} parameters`);
  return parsed.valueBlock.value;
}

function octets(node: asn1js.AsnType | undefined, what: string): Buffer {
  if (!(node instanceof asn1js.OctetString)) throw new PkcsError(`malformed ${what}`);
  return Buffer.from(node.valueBlock.valueHexView);
}

function integer(node: asn1js.AsnType | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer)) throw new PkcsError(`malformed ${what}`);
  return node.valueBlock.valueDec;
}

function oid(node: asn1js.AsnType | undefined): string {
  return node instanceof asn1js.ObjectIdentifier ? node.valueBlock.toString() : "";
}

function decipher(cipher: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(cipher, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new PkcsError("the password is wrong or the data is corrupt");
  }
}

function pbes2(params: ArrayBuffer | null | undefined, data: Buffer, password: string): Buffer {
  const [kdf, scheme] = sequence(params, "PBES2");
  const [kdfOid, kdfParams] = kdf instanceof asn1js.Sequence ? kdf.valueBlock.value : [];
  const [schemeOid, ivNode] = scheme instanceof asn1js.Sequence ? scheme.valueBlock.value : [];
  if (oid(kdfOid) !== PBKDF2) throw new PkcsError(`PBES2 key derivation ${oid(kdfOid)} is not supported (PBKDF2 is)`);
  const cipher = PBES2_CIPHERS[oid(schemeOid)];
  if (!cipher) throw new PkcsError(`PBES2 cipher ${oid(schemeOid)} is not supported (AES-CBC and 3DES are)`);
  const fields = kdfParams instanceof asn1js.Sequence ? kdfParams.valueBlock.value : [];
  const salt = octets(fields[0], "PBKDF2 salt");
  const iterations = assertIterations(integer(fields[1], "PBKDF2 iteration count"));
  const prfNode = fields.slice(2).find((f) => f instanceof asn1js.Sequence);
  const prfOid = prfNode instanceof asn1js.Sequence ? oid(prfNode.valueBlock.value[0]) : "1.2.840.113549.2.7";
  const prf = HMAC_PRF[prfOid];
  if (!prf) throw new PkcsError(`PBKDF2 pseudo-random function ${prfOid} is not supported`);
  // PKCS#12 files written by OpenSSL feed PBKDF2 the password's UTF-8 bytes.
  const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, cipher.keyLength, prf);
  return decipher(cipher.cipher, key, octets(ivNode, "PBES2 IV"), data);
}

/** Decrypts data encrypted under `algorithm` with `password`. */
export function decryptWithPassword(algorithm: AlgorithmIdentifier, data: Buffer, password: string): Buffer {
  if (algorithm.algorithm === PBES2) return pbes2(algorithm.parameters, data, password);
  const scheme = PKCS12_PBE[algorithm.algorithm];
  if (!scheme) throw new PkcsError(`encryption algorithm ${algorithm.algorithm} is not supported`);
  if ("unsupported" in scheme) {
    throw new PkcsError(
      `this file is encrypted with ${scheme.unsupported}, an obsolete cipher the local Key Vault cannot read; re-export it with AES (for example: openssl pkcs12 -in old.pfx -legacy -nodes | openssl pkcs12 -export)`,
    );
  }
  const [saltNode, iterNode] = sequence(algorithm.parameters, "PKCS#12 PBE");
  const salt = octets(saltNode, "PBE salt");
  const iterations = assertIterations(integer(iterNode, "PBE iteration count"));
  const bmp = bmpPassword(password);
  const key = pkcs12Kdf(bmp, salt, 1, iterations, "sha1", scheme.keyLength);
  const iv = pkcs12Kdf(bmp, salt, 2, iterations, "sha1", scheme.ivLength);
  return decipher(scheme.cipher, key, iv, data);
}
