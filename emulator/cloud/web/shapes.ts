/**
 * @module Microsoft.Web's wire shapes as the REST specs' examples show them: a site (`Microsoft.Web/sites`,
 * camelCase `properties`, `identity`), its app settings (a StringDictionary `config/appsettings`), and the
 * status of each Key Vault reference (ApiKVReference under `config/configreferences/appsettings/{key}`,
 * with App Service's ResolveStatus); plus the local site's own view of what its app reads.
 */
import { createHash } from "node:crypto";
import { parseSetting } from "./reference.js";
import { hasSystemIdentity, siteId, SITE_TENANT_ID, type ResolvedReference, type Site } from "./site.js";

function identityBody(site: Site): Record<string, unknown> {
  const userAssigned = Object.keys(site.userAssignedIdentities).length > 0 && /userassigned/i.test(site.identityType);
  return {
    type: site.identityType,
    ...(hasSystemIdentity(site) ? { principalId: site.principalId, tenantId: SITE_TENANT_ID } : {}),
    ...(userAssigned ? { userAssignedIdentities: site.userAssignedIdentities } : {}),
  };
}

export function siteResource(site: Site): Record<string, unknown> {
  const host = `${site.name.toLowerCase()}.azurewebsites.net`;
  return {
    id: siteId(site.name),
    name: site.name,
    type: "Microsoft.Web/sites",
    kind: site.kind,
    location: site.location,
    tags: site.tags,
    identity: identityBody(site),
    properties: {
      state: "Running",
      hostNames: [host],
      enabled: true,
      enabledHostNames: [host, `${site.name.toLowerCase()}.scm.azurewebsites.net`],
      availabilityState: "Normal",
      defaultHostName: host,
      resourceGroup: siteId(site.name).split("/")[4],
      httpsOnly: true,
      keyVaultReferenceIdentity: site.keyVaultReferenceIdentity,
      lastModifiedTimeUtc: new Date(site.lastModifiedMs).toISOString(),
    },
  };
}

export function appSettingsResource(site: Site): Record<string, unknown> {
  return {
    id: `${siteId(site.name)}/config/appsettings`,
    name: "appsettings",
    type: "Microsoft.Web/sites/config",
    kind: site.kind,
    properties: { ...site.appSettings },
  };
}

/** One ApiKVReference; the values themselves never appear in it. */
export function referenceResource(site: Site, key: string, ref: ResolvedReference): Record<string, unknown> {
  return {
    id: `${siteId(site.name)}/config/configreferences/appsettings/${key}`,
    name: key,
    properties: {
      reference: ref.reference,
      status: ref.status,
      ...(ref.vaultName !== undefined ? { vaultName: ref.vaultName } : {}),
      ...(ref.secretName !== undefined ? { secretName: ref.secretName } : {}),
      ...(ref.secretVersion !== undefined ? { secretVersion: ref.secretVersion } : {}),
      identityType: identityBody(site),
      ...(ref.details !== undefined ? { details: ref.details } : {}),
      source: "KeyVault",
      ...(ref.activeVersion !== undefined ? { activeVersion: ref.activeVersion } : {}),
    },
  };
}

export function referencesCollection(site: Site): { value: Record<string, unknown>[] } {
  return { value: Object.entries(site.references).map(([key, ref]) => referenceResource(site, key, ref)) };
}

function fingerprint(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

export interface EnvEntry {
  name: string;
  source: "AppSetting" | "KeyVault";
  /** The value, for a plain setting or when asked with `reveal`. */
  value?: string;
  /** The first 16 hex characters of the SHA-256 of what the app reads: compare without showing it. */
  sha256: string;
  status?: ResolvedReference["status"];
  secretName?: string;
  /** The version the app reads. */
  version?: string;
  resolvedAt?: string;
  expiresAt?: string;
}

/**
 * The app's environment as it reads it: plain settings as set, resolved references as fetched, and an
 * unresolved reference as its own text (App Service's documented fallback). Secret values only with `reveal`.
 */
export function environment(site: Site, expiresAtMs: (ref: ResolvedReference) => number, reveal: boolean): EnvEntry[] {
  return Object.entries(site.appSettings).map(([name, setting]): EnvEntry => {
    const ref = site.references[name];
    if (parseSetting(setting).kind === "plain" || !ref) return { name, source: "AppSetting", value: setting, sha256: fingerprint(setting) };
    const seen = ref.status === "Resolved" ? (ref.value ?? "") : setting;
    return {
      name,
      source: "KeyVault",
      ...(reveal || ref.status !== "Resolved" ? { value: seen } : {}),
      sha256: fingerprint(seen),
      status: ref.status,
      ...(ref.secretName !== undefined ? { secretName: ref.secretName } : {}),
      ...(ref.activeVersion !== undefined ? { version: ref.activeVersion } : {}),
      resolvedAt: new Date(ref.resolvedAtMs).toISOString(),
      expiresAt: new Date(expiresAtMs(ref)).toISOString(),
    };
  });
}
