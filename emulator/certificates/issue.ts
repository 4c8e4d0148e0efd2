/**
 * @module Making a certificate from its policy: the key (new, or the current one when the policy reuses
 * keys), the extensions the policy asks for, the CSR an outside CA signs, and the certificate itself,
 * self-signed (issuer Self) or signed by a local CA standing in for an issuer object's provider.
 */
import { createPublicKey, generateKeyPairSync, type JsonWebKey as NodeJwk, type KeyObject } from "node:crypto";
import { Name } from "@peculiar/asn1-x509";
import { ecSpec, generateKeyMaterial, generateKeyMaterialSync, privateKey, rsaSpec, type KeySpec } from "../keys/material.js";
import { signCertificate } from "../pki/certificate.js";
import { signCsr } from "../pki/csr.js";
import {
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  extendedKeyUsageExtension,
  keyUsageExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from "../pki/extensions.js";
import { parseName } from "../pki/names.js";
import type { Vault } from "../vault.js";
import type { CertificatePolicy } from "./model.js";

function keySpec(policy: CertificatePolicy): KeySpec {
  const { kty, key_size, crv } = policy.key_props;
  return kty.startsWith("RSA") ? rsaSpec(key_size) : ecSpec(crv);
}

/** The key for a new version: the current one when the policy reuses keys, else a new one. */
export function newKeyFor(policy: CertificatePolicy, current: NodeJwk | undefined): Promise<NodeJwk> {
  return policy.key_props.reuse_key && current ? Promise.resolve(current) : generateKeyMaterial(keySpec(policy));
}

export function newKeyForSync(policy: CertificatePolicy, current: NodeJwk | undefined): NodeJwk {
  return policy.key_props.reuse_key && current ? current : generateKeyMaterialSync(keySpec(policy));
}

function subjectOf(policy: CertificatePolicy): Name {
  const subject = policy.x509_props.subject?.trim();
  return subject ? parseName(subject) : new Name();
}

/** Key usage, EKUs and SANs as the policy sets them; SANs are critical when the subject is empty (RFC 5280). */
function requested(policy: CertificatePolicy) {
  const { key_usage, ekus, sans } = policy.x509_props;
  const altNames = subjectAltNameExtension(sans ?? {}, !policy.x509_props.subject?.trim());
  return [
    ...(key_usage.length ? [keyUsageExtension(key_usage)] : []),
    ...(ekus.length ? [extendedKeyUsageExtension(ekus)] : []),
    ...(altNames ? [altNames] : []),
    basicConstraintsExtension(false),
  ];
}

export function csrFor(policy: CertificatePolicy, jwk: NodeJwk): Buffer {
  const key = privateKey(jwk);
  return signCsr(subjectOf(policy), key, createPublicKey(key), requested(policy));
}

/** The validity a new certificate gets: from now (whole seconds) for the policy's months. */
function validity(policy: CertificatePolicy, nowMs: number): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor(nowMs / 1000) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCMonth(notAfter.getUTCMonth() + policy.x509_props.validity_months);
  return { notBefore, notAfter };
}

export interface LocalCa {
  key: KeyObject;
  der: Buffer;
  name: Name;
}

/** The local CA that stands in for an issuer's provider (DigiCert, GlobalSign...), made on first use per vault. */
function localCa(vault: Vault, provider: string, nowMs: number): LocalCa {
  const known = vault.issuingCas.get(provider.toLowerCase());
  if (known) return known;
  const { publicKey, privateKey: key } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const name = parseName(`CN=kvguard local ${provider} CA`);
  const now = nowMs;
  const der = signCertificate({
    subject: name,
    issuer: name,
    publicKey,
    signingKey: key,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 20 * 365 * 86_400_000),
    extensions: [basicConstraintsExtension(true, 0), keyUsageExtension(["keyCertSign", "cRLSign"]), subjectKeyIdentifierExtension(publicKey)],
  });
  const ca = { key, der, name };
  vault.issuingCas.set(provider.toLowerCase(), ca);
  return ca;
}

/**
 * The certificate and its chain (DER, leaf first): self-signed for Self, else signed by the local CA of
 * `provider`.
 */
export function issueCertificate(vault: Vault, policy: CertificatePolicy, jwk: NodeJwk, nowMs: number, provider?: string): Buffer[] {
  const key = privateKey(jwk);
  const publicKey = createPublicKey(key);
  const subject = subjectOf(policy);
  const ca = provider ? localCa(vault, provider, nowMs) : undefined;
  const issuerKey = ca ? createPublicKey(ca.key) : publicKey;
  const leaf = signCertificate({
    subject,
    issuer: ca?.name ?? subject,
    publicKey,
    signingKey: ca?.key ?? key,
    ...validity(policy, nowMs),
    extensions: [...requested(policy), subjectKeyIdentifierExtension(publicKey), authorityKeyIdentifierExtension(issuerKey)],
  });
  return ca ? [leaf, ca.der] : [leaf];
}
