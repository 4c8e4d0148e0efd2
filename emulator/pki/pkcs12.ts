/**
 * @module PKCS#12 (PFX) files: written the way Key Vault serves a certificate's secret (no password: bags
 * in the clear, a MAC keyed with the empty password, which OpenSSL, .NET and Java all open), and read when a
 * certificate is imported (with or without a password, bags in the clear or password-encrypted).
 */
import { createHash, createHmac, createPrivateKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { ContentInfo, EncryptedContentInfo } from "@peculiar/asn1-cms";
import {
  AuthenticatedSafe,
  CertBag,
  id_certBag,
  id_keyBag,
  id_pkcs8ShroudedKeyBag,
  id_x509Certificate,
  MacData,
  PFX,
  PKCS12Attribute,
  PKCS8ShroudedKeyBag,
  SafeBag,
  SafeContents,
} from "@peculiar/asn1-pfx";
import { DigestInfo } from "@peculiar/asn1-rsa";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import * as asn1js from "asn1js";
import { assertIterations, bmpPassword, decryptWithPassword, MAC_HASHES, pkcs12Kdf, PkcsError } from "./pbe.js";

const DATA = "1.2.840.113549.1.7.1";
const ENCRYPTED_DATA = "1.2.840.113549.1.7.6";
const LOCAL_KEY_ID = "1.2.840.113549.1.9.21";
const SHA256 = "2.16.840.1.101.3.4.2.1";
const MAC_ITERATIONS = 2048;

function dataContent(der: ArrayBuffer): ContentInfo {
  return new ContentInfo({ contentType: DATA, content: AsnConvert.serialize(new OctetString(der)) });
}

function localKeyId(id: Buffer): PKCS12Attribute[] {
  // PKCS12Attribute's constructor drops its parameters (asn1-pfx 2.11.1), so the fields are set after.
  return [Object.assign(new PKCS12Attribute(), { attrId: LOCAL_KEY_ID, attrValues: [AsnConvert.serialize(new OctetString(id))] })];
}

/** DER of a password-less PFX holding the key (if any) and the certificates, leaf first. */
export function writePfx(key: KeyObject | undefined, certificates: readonly Buffer[]): Buffer {
  // localKeyId pairs the key with its certificate, as OpenSSL and Windows expect.
  const id = createHash("sha1").update(certificates[0]!).digest();
  const certBags = certificates.map(
    (der, i) =>
      new SafeBag({
        bagId: id_certBag,
        bagValue: AsnConvert.serialize(new CertBag({ certId: id_x509Certificate, certValue: AsnConvert.serialize(new OctetString(der)) })),
        ...(i === 0 ? { bagAttributes: localKeyId(id) } : {}),
      }),
  );
  const safes = [dataContent(AsnConvert.serialize(new SafeContents(certBags)))];
  if (key) {
    const keyBag = new SafeBag({
      bagId: id_keyBag,
      bagValue: new Uint8Array(key.export({ type: "pkcs8", format: "der" })).buffer,
      bagAttributes: localKeyId(id),
    });
    safes.push(dataContent(AsnConvert.serialize(new SafeContents([keyBag]))));
  }
  const authSafe = Buffer.from(AsnConvert.serialize(new AuthenticatedSafe(safes)));
  const salt = randomBytes(8);
  const macKey = pkcs12Kdf(bmpPassword(""), salt, 3, MAC_ITERATIONS, "sha256", 32);
  const digest = createHmac("sha256", macKey).update(authSafe).digest();
  const pfx = new PFX({
    version: 3,
    authSafe: dataContent(new Uint8Array(authSafe).buffer),
    macData: new MacData({
      mac: new DigestInfo({ digestAlgorithm: new AlgorithmIdentifier({ algorithm: SHA256, parameters: null }), digest: new OctetString(digest) }),
      macSalt: new OctetString(salt),
      iterations: MAC_ITERATIONS,
    }),
  });
  return Buffer.from(AsnConvert.serialize(pfx));
}

export interface PfxContents {
  key?: KeyObject;
  /** DER, in the file's order. */
  certificates: Buffer[];
}

function parse<T>(der: ArrayBuffer | Buffer, type: new () => T, what: string): T {
  try {
    return AsnConvert.parse(der, type);
  } catch {
    throw new PkcsError(`the file is not a PKCS#12 file (${what} is malformed)`);
  }
}

/** The payload of a `data` ContentInfo (an OCTET STRING, possibly constructed from pieces in BER). */
function dataOf(info: ContentInfo): Buffer {
  const parsed = asn1js.fromBER(info.content).result;
  if (!(parsed instanceof asn1js.OctetString)) throw new PkcsError("the file is not a PKCS#12 file (data is not an OCTET STRING)");
  return parsed.idBlock.isConstructed
    ? Buffer.concat(parsed.valueBlock.value.map((piece) => Buffer.from((piece as asn1js.OctetString).valueBlock.valueHexView)))
    : Buffer.from(parsed.valueBlock.valueHexView);
}

/** PKCS#7 EncryptedData: SEQUENCE { version, EncryptedContentInfo }. */
function decryptedContents(info: ContentInfo, password: string): Buffer {
  const outer = asn1js.fromBER(info.content).result;
  const eci = outer instanceof asn1js.Sequence ? outer.valueBlock.value[1] : undefined;
  if (!eci) throw new PkcsError("the file is not a PKCS#12 file (EncryptedData is malformed)");
  const content = parse(eci.toBER(), EncryptedContentInfo, "EncryptedContentInfo");
  const encrypted = content.encryptedContent?.value
    ? Buffer.from(content.encryptedContent.value.buffer)
    : Buffer.concat((content.encryptedContent?.constructedValue ?? []).map((o) => Buffer.from(o.buffer)));
  return decryptWithPassword(content.contentEncryptionAlgorithm, encrypted, password);
}

/** OpenSSL tries an empty password both ways (no bytes, or the two-byte terminator); so does this. */
function checkMac(mac: MacData, authSafe: Buffer, password: string): void {
  const hash = MAC_HASHES[mac.mac.digestAlgorithm.algorithm];
  if (!hash) throw new PkcsError(`MAC algorithm ${mac.mac.digestAlgorithm.algorithm} is not supported`);
  const expected = Buffer.from(mac.mac.digest.buffer);
  const salt = Buffer.from(mac.macSalt.buffer);
  const candidates = password === "" ? [bmpPassword(""), Buffer.alloc(0)] : [bmpPassword(password)];
  const matches = candidates.some((pw) => {
    const key = pkcs12Kdf(pw, salt, 3, assertIterations(mac.iterations || 1), hash, expected.length);
    const actual = createHmac(hash, key).update(authSafe).digest();
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
  if (!matches) throw new PkcsError("the password is wrong (the file's integrity check failed)");
}

function privateKeyFrom(pkcs8: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  } catch {
    throw new PkcsError("the private key in the file cannot be read");
  }
}

/** Reads a PFX; throws PkcsError with a reason a person can act on. */
export function readPfx(der: Buffer, password = ""): PfxContents {
  const pfx = parse(der, PFX, "PFX");
  if (pfx.authSafe.contentType !== DATA) throw new PkcsError("public-key protected PKCS#12 files are not supported");
  const authSafe = dataOf(pfx.authSafe);
  // The parser fills an absent MacData with an empty one.
  if (pfx.macData?.mac.digest.byteLength) checkMac(pfx.macData, authSafe, password);
  const result: PfxContents = { certificates: [] };
  for (const info of parse(authSafe, AuthenticatedSafe, "AuthenticatedSafe")) {
    const contents = info.contentType === DATA ? dataOf(info) : info.contentType === ENCRYPTED_DATA ? decryptedContents(info, password) : undefined;
    if (!contents) throw new PkcsError(`content type ${info.contentType} is not supported`);
    for (const bag of parse(contents, SafeContents, "SafeContents")) {
      if (bag.bagId === id_certBag) {
        const cert = parse(bag.bagValue, CertBag, "CertBag");
        if (cert.certId === id_x509Certificate) result.certificates.push(Buffer.from(parse(cert.certValue, OctetString, "CertBag").buffer));
      } else if (bag.bagId === id_keyBag && !result.key) {
        result.key = privateKeyFrom(Buffer.from(bag.bagValue));
      } else if (bag.bagId === id_pkcs8ShroudedKeyBag && !result.key) {
        const shrouded = parse(bag.bagValue, PKCS8ShroudedKeyBag, "PKCS8ShroudedKeyBag");
        result.key = privateKeyFrom(decryptWithPassword(shrouded.encryptionAlgorithm, Buffer.from(shrouded.encryptedData.buffer), password));
      }
    }
  }
  return result;
}
