/**
 * @module X.509 certificates: made from a name, a public key and extensions, signed with node:crypto, and
 * read back into what a Key Vault policy says (subject, SANs, key usage, EKUs, validity).
 */
import { createHash, randomBytes, X509Certificate, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import type { Name } from "@peculiar/asn1-x509";
import { Certificate, Extensions, SubjectPublicKeyInfo, TBSCertificate, Validity, Version, type Extension } from "@peculiar/asn1-x509";
import { readExtensions, type ExtensionFacts } from "./extensions.js";
import { formatName } from "./names.js";
import { signatureAlgorithm, signDer } from "./signing.js";

export interface CertificateSpec {
  subject: Name;
  issuer: Name;
  publicKey: KeyObject;
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Extension[];
}

/** A positive serial in minimal DER: 16 random bytes, the first in 0x01-0x7f (no sign bit, no padding byte). */
export function newSerial(): ArrayBuffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return new Uint8Array(serial).buffer;
}

export function spki(publicKey: KeyObject): SubjectPublicKeyInfo {
  return AsnConvert.parse(publicKey.export({ type: "spki", format: "der" }), SubjectPublicKeyInfo);
}

/** Builds and signs a v3 certificate; returns its DER. */
export function signCertificate(spec: CertificateSpec): Buffer {
  const { identifier, hash } = signatureAlgorithm(spec.signingKey);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: newSerial(),
    signature: identifier,
    issuer: spec.issuer,
    validity: new Validity({ notBefore: spec.notBefore, notAfter: spec.notAfter }),
    subject: spec.subject,
    subjectPublicKeyInfo: spki(spec.publicKey),
    extensions: new Extensions(spec.extensions),
  });
  const signatureValue = signDer(spec.signingKey, hash, AsnConvert.serialize(tbs));
  return Buffer.from(AsnConvert.serialize(new Certificate({ tbsCertificate: tbs, signatureAlgorithm: identifier, signatureValue })));
}

/** Everything the emulator reads from a certificate. */
export interface CertificateFacts extends ExtensionFacts {
  der: Buffer;
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  /** SHA-1 of the DER: Key Vault's x5t. */
  thumbprint: Buffer;
}

/** Parses DER; throws on anything that is not a certificate. OpenSSL (node's X509Certificate) checks the encoding. */
export function readCertificate(der: Buffer): CertificateFacts {
  const x509 = new X509Certificate(der);
  const parsed = AsnConvert.parse(der, Certificate);
  const tbs = parsed.tbsCertificate;
  return {
    der: Buffer.from(x509.raw),
    subject: formatName(tbs.subject),
    issuer: formatName(tbs.issuer),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    publicKey: x509.publicKey,
    thumbprint: createHash("sha1").update(x509.raw).digest(),
    ...readExtensions(tbs.extensions ?? []),
  };
}

/** Whether `der` is signed by the holder of `issuerKey`'s private half. */
export function isSignedBy(der: Buffer, issuerKey: KeyObject): boolean {
  return new X509Certificate(der).verify(issuerKey);
}
