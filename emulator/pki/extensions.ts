/**
 * @module The X.509 extensions Key Vault's policies speak of, in both directions: subject alternative names
 * (emails, DNS names, UPNs, URIs, IP addresses), key usage, extended key usage, basic constraints and key
 * identifiers.
 */
import { createHash, type KeyObject } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  OtherName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from "@peculiar/asn1-x509";

/** Key usage names as Key Vault's policies spell them, which are also the flag names. */
export const KEY_USAGES = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const;
export type KeyUsageName = (typeof KEY_USAGES)[number];

/** Microsoft's user principal name, carried as an otherName. */
const UPN_OID = "1.3.6.1.4.1.311.20.2.3";

export interface SubjectAltNames {
  emails?: string[];
  dns_names?: string[];
  upns?: string[];
  uris?: string[];
  ipAddresses?: string[];
}

function extension(extnID: string, critical: boolean, value: object): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

export function keyUsageExtension(usages: readonly KeyUsageName[]): Extension {
  const flags = usages.reduce((bits, u) => bits | KeyUsageFlags[u], 0);
  return extension(id_ce_keyUsage, true, new KeyUsage(flags));
}

export function extendedKeyUsageExtension(oids: readonly string[]): Extension {
  return extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...oids]));
}

export function basicConstraintsExtension(ca: boolean, pathLength?: number): Extension {
  return extension(id_ce_basicConstraints, ca, new BasicConstraints({ cA: ca, ...(pathLength !== undefined ? { pathLenConstraint: pathLength } : {}) }));
}

/** SHA-1 of the public key's DER (RFC 5280's first method, near enough: over the whole SPKI). */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash("sha1")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest();
}

export function subjectKeyIdentifierExtension(publicKey: KeyObject): Extension {
  return extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(publicKey)));
}

export function authorityKeyIdentifierExtension(issuerKey: KeyObject): Extension {
  return extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(issuerKey)) }));
}

/** Undefined when there are no names: an empty SAN extension is invalid. */
export function subjectAltNameExtension(sans: SubjectAltNames, critical: boolean): Extension | undefined {
  const names = [
    ...(sans.dns_names ?? []).map((dNSName) => new GeneralName({ dNSName })),
    ...(sans.emails ?? []).map((rfc822Name) => new GeneralName({ rfc822Name })),
    ...(sans.upns ?? []).map((upn) => new GeneralName({ otherName: new OtherName({ typeId: UPN_OID, value: utf8String(upn) }) })),
    ...(sans.uris ?? []).map((uniformResourceIdentifier) => new GeneralName({ uniformResourceIdentifier })),
    ...(sans.ipAddresses ?? []).map((iPAddress) => new GeneralName({ iPAddress })),
  ];
  return names.length ? extension(id_ce_subjectAltName, critical, new SubjectAlternativeName(names)) : undefined;
}

/** DER of a UTF8String (tag 12), for the UPN otherName. */
function utf8String(text: string): ArrayBuffer {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > 127) throw new RangeError("a UPN is at most 127 bytes here");
  return new Uint8Array([0x0c, bytes.length, ...bytes]).buffer;
}

function readUtf8String(der: ArrayBuffer): string {
  const bytes = Buffer.from(der);
  return bytes[0] === 0x0c ? bytes.subarray(2).toString("utf8") : "";
}

/** What a certificate's extensions say, in Key Vault's policy terms. */
export interface ExtensionFacts {
  sans: SubjectAltNames;
  keyUsage: KeyUsageName[];
  ekus: string[];
  ca: boolean;
}

export function readExtensions(extensions: readonly Extension[]): ExtensionFacts {
  const facts: ExtensionFacts = { sans: {}, keyUsage: [], ekus: [], ca: false };
  for (const ext of extensions) {
    const value = ext.extnValue.buffer;
    if (ext.extnID === id_ce_keyUsage) {
      const flags = AsnConvert.parse(value, KeyUsage).toNumber();
      facts.keyUsage = KEY_USAGES.filter((u) => (flags & KeyUsageFlags[u]) !== 0);
    } else if (ext.extnID === id_ce_extKeyUsage) {
      facts.ekus = [...AsnConvert.parse(value, ExtendedKeyUsage)];
    } else if (ext.extnID === id_ce_basicConstraints) {
      facts.ca = AsnConvert.parse(value, BasicConstraints).cA;
    } else if (ext.extnID === id_ce_subjectAltName) {
      facts.sans = readSans([...AsnConvert.parse(value, SubjectAlternativeName)]);
    }
  }
  return facts;
}

function readSans(names: GeneralName[]): SubjectAltNames {
  const sans: Required<SubjectAltNames> = { emails: [], dns_names: [], upns: [], uris: [], ipAddresses: [] };
  for (const name of names) {
    if (name.dNSName) sans.dns_names.push(name.dNSName);
    else if (name.rfc822Name) sans.emails.push(name.rfc822Name);
    else if (name.uniformResourceIdentifier) sans.uris.push(name.uniformResourceIdentifier);
    else if (name.iPAddress) sans.ipAddresses.push(name.iPAddress);
    else if (name.otherName?.typeId === UPN_OID) sans.upns.push(readUtf8String(name.otherName.value));
  }
  return Object.fromEntries(Object.entries(sans).filter(([, list]) => list.length > 0));
}
