/**
 * @module PKCS#10 certificate signing requests: the subject, public key and requested extensions (in an
 * extensionRequest attribute), signed with the request's own key, as Key Vault hands them out for merging.
 */
import type { KeyObject } from "node:crypto";
import { CertificationRequest, CertificationRequestInfo, Attributes } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Attribute, Extensions, type Extension, type Name } from "@peculiar/asn1-x509";
import { spki } from "./certificate.js";
import { signatureAlgorithm, signDer } from "./signing.js";

const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";

/** DER of a CSR for `key`'s public half, signed with it. */
export function signCsr(subject: Name, key: KeyObject, publicKey: KeyObject, extensions: Extension[]): Buffer {
  const { identifier, hash } = signatureAlgorithm(key);
  const info = new CertificationRequestInfo({
    version: 0,
    subject,
    subjectPKInfo: spki(publicKey),
    attributes: new Attributes([new Attribute({ type: EXTENSION_REQUEST, values: [AsnConvert.serialize(new Extensions(extensions))] })]),
  });
  const signature = signDer(key, hash, AsnConvert.serialize(info));
  return Buffer.from(AsnConvert.serialize(new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: identifier, signature })));
}
