/**
 * @module A certificate version comes into being with its key and its secret: same name, same version,
 * attributes mirrored from the certificate (nbf and exp from the X.509 validity). Creating, importing,
 * merging and renewing all end here; so does announcing it (CertificateNewVersionCreated; the key and
 * secret raise no events of their own).
 */
import { createHash, type JsonWebKey as NodeJwk } from "node:crypto";
import type { Attributes } from "../common/attributes.js";
import { objectEvent, type EventBus } from "../events/bus.js";
import type { KeyVersion } from "../keys/model.js";
import { DEFAULT_KEY_OPS } from "../keys/model.js";
import { readCertificate } from "../pki/certificate.js";
import type { KeyUsageName } from "../pki/extensions.js";
import type { SecretVersion } from "../secrets/model.js";
import type { Vault } from "../vault.js";
import type { CertificatePolicy, CertificateVersion } from "./model.js";
import { secretValue } from "./secretValue.js";

/** Key operations from key usage, as Key Vault maps them; no key usage: the family's defaults. */
export function keyOpsFor(family: "RSA" | "EC", usages: readonly KeyUsageName[]): string[] {
  if (!usages.length) return [...DEFAULT_KEY_OPS[family]];
  const ops = new Set<string>();
  for (const usage of usages) {
    if (["digitalSignature", "nonRepudiation", "keyCertSign", "cRLSign"].includes(usage)) ops.add("sign").add("verify");
    if (family === "RSA" && usage === "keyEncipherment") ops.add("wrapKey").add("unwrapKey").add("encrypt").add("decrypt");
    if (family === "RSA" && usage === "dataEncipherment") ops.add("encrypt").add("decrypt");
  }
  return [...ops];
}

export function thumbprint(der: Buffer): string {
  return createHash("sha1").update(der).digest("base64url");
}

export interface NewVersion {
  name: string;
  version: string;
  policy: CertificatePolicy;
  jwk: NodeJwk;
  /** DER, in the order the secret gives them (leaf first unless the order is preserved). */
  chain: Buffer[];
  /** The leaf's DER. */
  leaf: Buffer;
  enabled?: boolean;
  tags?: Record<string, string>;
  preserveCertOrder?: boolean;
}

/** Stores the certificate version (filling a pending first version in place), its key and its secret. */
export function addCertificateVersion(vault: Vault, events: EventBus, nowMs: number, fields: NewVersion): CertificateVersion {
  const facts = readCertificate(fields.leaf);
  const now = Math.floor(nowMs / 1000);
  const attributes: Attributes = {
    enabled: fields.enabled ?? true,
    nbf: Math.floor(facts.notBefore.getTime() / 1000),
    exp: Math.floor(facts.notAfter.getTime() / 1000),
    created: now,
    updated: now,
  };
  const certificate: CertificateVersion = {
    version: fields.version,
    cer: fields.leaf.toString("base64"),
    attributes,
    ...(fields.tags ? { tags: fields.tags } : {}),
    ...(fields.preserveCertOrder ? { preserveCertOrder: true } : {}),
  };
  const pendingFirst = vault.certificates.has(fields.name)
    ? vault.certificates.entry(fields.name).versions.find((v) => v.version === fields.version)
    : undefined;
  if (pendingFirst) Object.assign(pendingFirst, certificate, { attributes: { ...attributes, created: pendingFirst.attributes.created } });
  const entry = pendingFirst ? vault.certificates.entry(fields.name) : vault.certificates.addVersion(fields.name, certificate);
  const stored = pendingFirst ?? certificate;
  const family = fields.policy.key_props.kty.startsWith("RSA") ? "RSA" : "EC";
  const key: KeyVersion = {
    version: fields.version,
    kty: fields.policy.key_props.kty,
    jwk: fields.jwk,
    keyOps: keyOpsFor(family, facts.keyUsage),
    attributes: { ...stored.attributes },
    managed: true,
  };
  const previous = vault.secrets.has(entry.name) ? vault.secrets.entry(entry.name).versions.at(-1)?.version : undefined;
  const secret: SecretVersion = {
    version: fields.version,
    ...(previous ? { previousVersion: previous } : {}),
    value: secretValue(fields.policy.secret_props.contentType, fields.jwk, fields.chain, fields.policy.key_props.exportable),
    contentType: fields.policy.secret_props.contentType,
    attributes: { ...stored.attributes },
    managed: true,
  };
  vault.keys.addVersion(entry.name, key);
  vault.secrets.addVersion(entry.name, secret);
  events.publish(objectEvent(vault, "NewVersionCreated", "Certificate", { name: entry.name, version: fields.version, ...stored.attributes }, nowMs));
  return stored;
}

/** Copies a certificate version's attributes to its key and secret (enabling or disabling all three). */
export function mirrorAttributes(vault: Vault, name: string, version: CertificateVersion): void {
  for (const store of [vault.keys, vault.secrets] as const) {
    if (!store.has(name)) continue;
    const backing = store.entry(name).versions.find((v) => v.version === version.version);
    if (backing) {
      backing.attributes = { ...version.attributes };
      backing.fired = undefined;
    }
  }
}

/** The private JWK of the certificate's current key, for a renewal that reuses it. */
export function currentKey(vault: Vault, name: string): NodeJwk | undefined {
  return vault.keys.has(name) ? vault.keys.entry(name).versions.at(-1)?.jwk : undefined;
}
