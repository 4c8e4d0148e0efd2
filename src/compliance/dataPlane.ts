/**
 * @module Reads a vault's keys and secrets for the checks, properties only: `listPropertiesOf…` and their
 * versions, a key's public parameters (type, size, curve) and rotation policy, and the deleted objects. It
 * never reads a secret value. A listing that fails is reported for the vault; one object that fails is
 * reported for that object, and the run goes on.
 */
import type { KeyClient, KeyRotationPolicy } from "@azure/keyvault-keys";
import type { SecretClient } from "@azure/keyvault-secrets";
import { parseDurationSeconds } from "../common/duration.js";
import { errorMessage } from "./errors.js";
import type { NativeRotationPolicy } from "./check.js";
import type { InventoryItem } from "./model.js";

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
  /** Listings that failed as a whole: `secrets`, `keys`, `deleted secrets`, `deleted keys`. */
  failures: { listing: "secret" | "key"; what: string; message: string }[];
}

const iso = (d: Date | undefined) => d?.toISOString();

function base(vault: string, type: "key" | "secret", p: { name: string; id?: string; enabled?: boolean; createdOn?: Date; updatedOn?: Date; notBefore?: Date; expiresOn?: Date; tags?: Record<string, string> }): InventoryItem {
  const item: InventoryItem = { vault, type, name: p.name, id: (p.id ?? "").replace(/\/[0-9a-f]{32}$/i, ""), enabled: p.enabled !== false, tags: p.tags ?? {} };
  const created = iso(p.createdOn);
  const updated = iso(p.updatedOn);
  const notBefore = iso(p.notBefore);
  const expiresOn = iso(p.expiresOn);
  return { ...item, ...(created ? { created } : {}), ...(updated ? { updated } : {}), ...(notBefore ? { notBefore } : {}), ...(expiresOn ? { expiresOn } : {}) };
}

async function versionsOf(list: AsyncIterable<{ version?: string; createdOn?: Date }>): Promise<{ times: number[]; newest?: string }> {
  const versions: { version?: string; created: number }[] = [];
  for await (const v of list) if (v.createdOn) versions.push({ ...(v.version ? { version: v.version } : {}), created: v.createdOn.getTime() });
  versions.sort((a, b) => a.created - b.created);
  const newest = versions.at(-1)?.version;
  return { times: versions.map((v) => v.created), ...(newest ? { newest } : {}) };
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
      const object: DataPlaneObject = { item: { ...base(vault, "secret", p), ...(p.contentType ? { contentType: p.contentType } : {}) }, versionTimes: [], problems: [] };
      try {
        const { times, newest } = await versionsOf(client.listPropertiesOfSecretVersions(p.name));
        object.versionTimes = times;
        if (newest) object.newestVersion = newest;
      } catch (error) {
        object.problems.push(`versions: ${errorMessage(error)}`);
      }
      finish(object);
      out.objects.push(object);
    }
  } catch (error) {
    out.failures.push({ listing: "secret", what: "secrets", message: errorMessage(error) });
  }
  try {
    for await (const d of client.listDeletedSecrets()) {
      const item = base(vault, "secret", d.properties);
      out.objects.push({ item: { ...item, id: item.id.replace("/secrets/", "/deletedsecrets/"), deleted: deletedFields(d.properties) }, versionTimes: [], problems: [] });
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
      try {
        const { times, newest } = await versionsOf(client.listPropertiesOfKeyVersions(p.name));
        object.versionTimes = times;
        if (newest) object.newestVersion = newest;
      } catch (error) {
        object.problems.push(`versions: ${errorMessage(error)}`);
      }
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
      out.objects.push({ item: { ...item, id: item.id.replace("/keys/", "/deletedkeys/"), deleted: deletedFields(d.properties) }, versionTimes: [], problems: [] });
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

export async function readDataPlane(vault: string, clients: { secrets: SecretClient; keys: KeyClient }): Promise<DataPlaneRead> {
  const out: DataPlaneRead = { objects: [], failures: [] };
  await readSecrets(vault, clients.secrets, out);
  // A vault that did not answer at all (no HTTP status) is not asked again for each listing.
  const first = out.failures[0];
  if (first?.what === "secrets" && !/^\d{3}\b/.test(first.message)) {
    out.failures = (["secrets", "deleted secrets", "keys", "deleted keys"] as const).map((what) => ({ listing: what.endsWith("keys") ? "key" : "secret", what, message: first.message }));
    return out;
  }
  await readKeys(vault, clients.keys, out);
  return out;
}
