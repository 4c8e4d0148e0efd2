/**
 * @module Reads a vault's keys, secrets and certificates for the checks, properties only: `listPropertiesOf…`
 * and their versions, a key's public parameters (type, size, curve) and rotation policy, a certificate's
 * policy and its X.509 certificate's public parts (subject, SANs, issuer, key), the vault's certificate
 * issuers, and the deleted objects. It never reads a secret value or a private key. A listing that fails is reported for the vault; one object that fails is
 * reported for that object, and the run goes on.
 */
import { X509Certificate } from "node:crypto";
import type { CertificateClient, KeyVaultCertificateWithPolicy } from "@azure/keyvault-certificates";
import type { KeyClient, KeyRotationPolicy } from "@azure/keyvault-keys";
import type { SecretClient } from "@azure/keyvault-secrets";
import { parseDurationSeconds } from "../common/duration.js";
import { errorMessage } from "./errors.js";
import type { NativeRotationPolicy } from "./check.js";
import type { CertificateFacts, InventoryItem } from "./model.js";

type Listing = "secret" | "key" | "certificate";

export interface DataPlaneObject {
  item: InventoryItem;
  versionTimes: number[];
  newestVersion?: string;
  rotationPolicy?: NativeRotationPolicy;
  /** What could not be read about this object (its versions, its key parameters). */
  problems: string[];
}

export interface DataPlaneRead {
  objects: DataPlaneObject[];
  /** Listings that failed as a whole: `secrets`, `keys`, `certificates` and their deleted ones. */
  failures: { listing: Listing; what: string; message: string }[];
}

const iso = (d: Date | undefined) => d?.toISOString();

interface BaseProperties {
  name?: string;
  id?: string;
  enabled?: boolean;
  createdOn?: Date;
  updatedOn?: Date;
  notBefore?: Date;
  expiresOn?: Date;
  tags?: Record<string, string>;
  managed?: boolean;
}

function base(vault: string, type: Listing, p: BaseProperties): InventoryItem {
  const item: InventoryItem = {
    vault,
    type,
    name: p.name ?? "",
    id: (p.id ?? "").replace(/\/[0-9a-f]{32}$/i, ""),
    enabled: p.enabled !== false,
    tags: p.tags ?? {},
    ...(p.managed ? { managed: true } : {}),
  };
  const created = iso(p.createdOn);
  const updated = iso(p.updatedOn);
  const notBefore = iso(p.notBefore);
  const expiresOn = iso(p.expiresOn);
  return {
    ...item,
    ...(created ? { created } : {}),
    ...(updated ? { updated } : {}),
    ...(notBefore ? { notBefore } : {}),
    ...(expiresOn ? { expiresOn } : {}),
  };
}

async function versionsOf(list: AsyncIterable<{ version?: string; createdOn?: Date }>): Promise<{ times: number[]; newest?: string }> {
  const versions: { version?: string; created: number }[] = [];
  for await (const v of list) if (v.createdOn) versions.push({ ...(v.version ? { version: v.version } : {}), created: v.createdOn.getTime() });
  versions.sort((a, b) => a.created - b.created);
  const newest = versions.at(-1)?.version;
  return { times: versions.map((v) => v.created), ...(newest ? { newest } : {}) };
}

/** The object's version times and newest version; a listing that fails is a problem of that object. */
async function readVersions(object: DataPlaneObject, list: () => AsyncIterable<{ version?: string; createdOn?: Date }>): Promise<void> {
  try {
    const { times, newest } = await versionsOf(list());
    object.versionTimes = times;
    if (newest) object.newestVersion = newest;
  } catch (error) {
    object.problems.push(`versions: ${errorMessage(error)}`);
  }
}

function days(duration: string | undefined): number | undefined {
  return duration === undefined ? undefined : parseDurationSeconds(duration) / 86_400;
}

export function nativePolicy(policy: KeyRotationPolicy): NativeRotationPolicy {
  const rotate = (policy.lifetimeActions ?? [])
    .filter((a) => a.action.toLowerCase() === "rotate")
    .map((a) => {
      const after = days(a.timeAfterCreate);
      const before = days(a.timeBeforeExpiry);
      return { ...(after !== undefined ? { afterCreateDays: after } : {}), ...(before !== undefined ? { beforeExpiryDays: before } : {}) };
    });
  const expiresInDays = days(policy.expiresIn);
  return { rotate, ...(expiresInDays !== undefined ? { expiresInDays } : {}) };
}

async function readSecrets(vault: string, client: SecretClient, out: DataPlaneRead): Promise<void> {
  try {
    for await (const p of client.listPropertiesOfSecrets()) {
      const object: DataPlaneObject = {
        item: { ...base(vault, "secret", p), ...(p.contentType ? { contentType: p.contentType } : {}) },
        versionTimes: [],
        problems: [],
      };
      await readVersions(object, () => client.listPropertiesOfSecretVersions(p.name));
      finish(object);
      out.objects.push(object);
    }
  } catch (error) {
    out.failures.push({ listing: "secret", what: "secrets", message: errorMessage(error) });
  }
  try {
    for await (const d of client.listDeletedSecrets()) {
      const item = base(vault, "secret", d.properties);
      out.objects.push({
        item: { ...item, id: item.id.replace("/secrets/", "/deletedsecrets/"), deleted: deletedFields(d.properties) },
        versionTimes: [],
        problems: [],
      });
    }
  } catch (error) {
    out.failures.push({ listing: "secret", what: "deleted secrets", message: errorMessage(error) });
  }
}

async function readKeys(vault: string, client: KeyClient, out: DataPlaneRead): Promise<void> {
  try {
    for await (const p of client.listPropertiesOfKeys()) {
      const object: DataPlaneObject = { item: base(vault, "key", p), versionTimes: [], problems: [] };
      try {
        // Public parameters only (kty, n's length, crv): never private material, which Key Vault does not return.
        const key = await client.getKey(p.name);
        const jwk = key.key;
        object.item = {
          ...object.item,
          ...(key.keyType ? { keyType: key.keyType } : {}),
          ...(jwk?.n ? { keySize: jwk.n.length * 8 } : {}),
          ...(jwk?.crv ? { curve: jwk.crv } : {}),
        };
      } catch (error) {
        object.problems.push(`key parameters: ${errorMessage(error)}`);
      }
      await readVersions(object, () => client.listPropertiesOfKeyVersions(p.name));
      try {
        const policy = await client.getKeyRotationPolicy(p.name);
        // A policy never set reads as a default without an id: the key has no rotation policy.
        if (policy.id || policy.lifetimeActions?.some((a) => a.action.toLowerCase() === "rotate")) object.rotationPolicy = nativePolicy(policy);
      } catch (error) {
        object.problems.push(`rotation policy: ${errorMessage(error)}`);
      }
      finish(object);
      out.objects.push(object);
    }
  } catch (error) {
    out.failures.push({ listing: "key", what: "keys", message: errorMessage(error) });
  }
  try {
    for await (const d of client.listDeletedKeys()) {
      const item = base(vault, "key", d.properties);
      out.objects.push({
        item: { ...item, id: item.id.replace("/keys/", "/deletedkeys/"), deleted: deletedFields(d.properties) },
        versionTimes: [],
        problems: [],
      });
    }
  } catch (error) {
    out.failures.push({ listing: "key", what: "deleted keys", message: errorMessage(error) });
  }
}

function deletedFields(p: { deletedOn?: Date; scheduledPurgeDate?: Date }): NonNullable<InventoryItem["deleted"]> {
  const deletedOn = iso(p.deletedOn);
  const scheduledPurgeDate = iso(p.scheduledPurgeDate);
  return { ...(deletedOn ? { deletedOn } : {}), ...(scheduledPurgeDate ? { scheduledPurgeDate } : {}) };
}

function finish(object: DataPlaneObject): void {
  object.item.versions = object.versionTimes.length;
  const newest = object.versionTimes.at(-1);
  if (newest !== undefined) object.item.latestVersionCreated = new Date(newest).toISOString();
}

/** node's curve names for the JWK names Key Vault uses. */
const CURVES: Record<string, string> = { prime256v1: "P-256", secp256k1: "P-256K", secp384r1: "P-384", secp521r1: "P-521" };

/** The certificate's public parts, read from its DER bytes; undefined while it is not issued yet. */
function x509Facts(cer: Uint8Array | undefined) {
  if (!cer?.length) return undefined;
  const x509 = new X509Certificate(Buffer.from(cer));
  const details = x509.publicKey.asymmetricKeyDetails;
  return {
    subject: x509.subject.split("\n").join(", "),
    issuedBy: x509.issuer.split("\n").join(", "),
    sans: x509.subjectAltName ? x509.subjectAltName.split(", ") : [],
    keyType: x509.publicKey.asymmetricKeyType === "ec" ? "EC" : x509.publicKey.asymmetricKeyType === "rsa" ? "RSA" : x509.publicKey.asymmetricKeyType,
    ...(details?.modulusLength ? { keySize: details.modulusLength } : {}),
    ...(details?.namedCurve ? { curve: CURVES[details.namedCurve] ?? details.namedCurve } : {}),
  };
}

/** What the checks read of a certificate: its policy first (as Azure Policy reads it), the X.509 certificate where the policy is silent. */
export function certificateItem(item: InventoryItem, certificate: KeyVaultCertificateWithPolicy, issuers: ReadonlyMap<string, string>): InventoryItem {
  const policy = certificate.policy;
  const x509 = x509Facts(certificate.cer);
  const issuerName = policy?.issuerName;
  const issuerProvider = issuerName ? issuers.get(issuerName.toLowerCase()) : undefined;
  const lifetimeActions = (policy?.lifetimeActions ?? []).map((a) => ({
    action: a.action ?? "unknown",
    ...(a.daysBeforeExpiry !== undefined ? { daysBeforeExpiry: a.daysBeforeExpiry } : {}),
    ...(a.lifetimePercentage !== undefined ? { lifetimePercentage: a.lifetimePercentage } : {}),
  }));
  const renewable = issuerName !== undefined && issuerName.toLowerCase() !== "unknown";
  const facts: CertificateFacts = {
    sans: x509?.sans ?? [],
    lifetimeActions,
    renewsItself: renewable && lifetimeActions.some((a) => a.action === "AutoRenew"),
    ...((x509?.subject ?? policy?.subject) ? { subject: x509?.subject ?? policy!.subject! } : {}),
    ...(x509?.issuedBy ? { issuedBy: x509.issuedBy } : {}),
    ...(issuerName ? { issuerName } : {}),
    ...(issuerProvider ? { issuerProvider } : {}),
    ...(policy?.validityInMonths !== undefined ? { validityMonths: policy.validityInMonths } : {}),
    ...(policy?.exportable !== undefined ? { exportable: policy.exportable } : {}),
    ...(certificate.properties.x509Thumbprint ? { thumbprint: Buffer.from(certificate.properties.x509Thumbprint).toString("hex").toUpperCase() } : {}),
  };
  const keyType = policy?.keyType ?? x509?.keyType;
  const keySize = policy?.keySize ?? x509?.keySize;
  const curve = policy?.keyCurveName ?? x509?.curve;
  return {
    ...item,
    ...(keyType ? { keyType } : {}),
    ...(keySize !== undefined && !keyType?.startsWith("EC") ? { keySize } : {}),
    ...(curve && keyType?.startsWith("EC") ? { curve } : {}),
    ...(policy?.contentType ? { contentType: policy.contentType } : {}),
    certificate: facts,
  };
}

async function readCertificates(vault: string, client: CertificateClient, out: DataPlaneRead): Promise<void> {
  // Issuer objects name the CA behind a policy's issuerName (DigiCert, GlobalSign...).
  const issuers = new Map<string, string>();
  let issuersProblem: string | undefined;
  try {
    // The listing gives each issuer's id (…/certificates/issuers/{name}) and provider, not its name.
    for await (const issuer of client.listPropertiesOfIssuers()) {
      const name = issuer.name ?? issuer.id?.split("/").at(-1);
      if (name && issuer.provider) issuers.set(name.toLowerCase(), issuer.provider);
    }
  } catch (error) {
    issuersProblem = `certificate issuers: ${errorMessage(error)}`;
  }
  try {
    // Pending ones too: a certificate waiting for its CA (or a merge) is in the inventory before it is issued.
    for await (const p of client.listPropertiesOfCertificates({ includePending: true })) {
      const object: DataPlaneObject = { item: base(vault, "certificate", p), versionTimes: [], problems: issuersProblem ? [issuersProblem] : [] };
      try {
        object.item = certificateItem(object.item, await client.getCertificate(object.item.name), issuers);
      } catch (error) {
        object.problems.push(`certificate policy: ${errorMessage(error)}`);
      }
      await readVersions(object, () => client.listPropertiesOfCertificateVersions(object.item.name));
      finish(object);
      out.objects.push(object);
    }
  } catch (error) {
    out.failures.push({ listing: "certificate", what: "certificates", message: errorMessage(error) });
  }
  try {
    for await (const d of client.listDeletedCertificates()) {
      const item = base(vault, "certificate", d.properties);
      out.objects.push({
        item: { ...item, id: item.id.replace("/certificates/", "/deletedcertificates/"), deleted: deletedFields(d) },
        versionTimes: [],
        problems: [],
      });
    }
  } catch (error) {
    out.failures.push({ listing: "certificate", what: "deleted certificates", message: errorMessage(error) });
  }
}

export interface DataPlaneClients {
  secrets: SecretClient;
  keys: KeyClient;
  certificates: CertificateClient;
}

export async function readDataPlane(vault: string, clients: DataPlaneClients): Promise<DataPlaneRead> {
  const out: DataPlaneRead = { objects: [], failures: [] };
  await readSecrets(vault, clients.secrets, out);
  // A vault that did not answer at all (no HTTP status) is not asked again for each listing.
  const first = out.failures[0];
  if (first?.what === "secrets" && !/^\d{3}\b/.test(first.message)) {
    out.failures = (["secrets", "deleted secrets", "keys", "deleted keys", "certificates", "deleted certificates"] as const).map((what) => ({
      listing: what.endsWith("keys") ? "key" : what.endsWith("certificates") ? "certificate" : "secret",
      what,
      message: first.message,
    }));
    return out;
  }
  await readKeys(vault, clients.keys, out);
  await readCertificates(vault, clients.certificates, out);
  return out;
}
