/**
 * @module App Service sites (web apps and function apps) of the local cloud: their managed identities, app
 * settings, and the per-site cache of resolved Key Vault references that the running app reads. Sites and
 * their caches persist in `web.json` of the state folder (resolved values in plain text, as the local Key
 * Vault keeps its own: a development tool, never a store for real secrets).
 */
import { createHash } from "node:crypto";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID, LOCAL_TENANT_ID } from "../../localKeyVault.js";
import type { ManagementAccess } from "../armScope.js";
import { StateFile } from "../stateFile.js";

/** App Service's ResolveStatus values. */
export type ResolveStatus =
  | "Initialized"
  | "Resolved"
  | "InvalidSyntax"
  | "MSINotEnabled"
  | "VaultNotFound"
  | "SecretNotFound"
  | "SecretVersionNotFound"
  | "AccessToKeyVaultDenied"
  | "OtherReasons"
  | "FetchTimedOut"
  | "UnauthorizedClient";

/** One reference as the site last resolved it. */
export interface ResolvedReference {
  /** The setting's value when it was resolved: a changed setting is resolved again. */
  reference: string;
  status: ResolveStatus;
  details?: string;
  vaultName?: string;
  secretName?: string;
  secretVersion?: string;
  /** The version the app reads (the latest one when the reference names none). */
  activeVersion?: string;
  /** What the app reads when resolved. */
  value?: string;
  /** When it was fetched, on the vault's clock (ms): the cache expires `cacheHours` later. */
  resolvedAtMs: number;
}

export interface UserAssignedIdentity {
  principalId: string;
  clientId: string;
}

export interface Site {
  name: string;
  /** `app`, `app,linux`, `functionapp`, `functionapp,linux`... */
  kind: string;
  location: string;
  tags: Record<string, string>;
  /** `SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned` or `None`. */
  identityType: string;
  /** The system-assigned identity's object id. */
  principalId: string;
  userAssignedIdentities: Record<string, UserAssignedIdentity>;
  /** `SystemAssigned` or a user-assigned identity's resource id: who reads Key Vault for the references. */
  keyVaultReferenceIdentity: string;
  appSettings: Record<string, string>;
  /** Setting name → its resolved reference. */
  references: Record<string, ResolvedReference>;
  /** How long a resolved reference is kept before the app fetches it again (App Service: 24 h). */
  cacheHours: number;
  managementAccess?: ManagementAccess[];
  lastModifiedMs: number;
}

export const DEFAULT_CACHE_HOURS = 24;

export function siteId(name: string): string {
  return `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.Web/sites/${name}`;
}

/** A GUID stable for its seed, so a site keeps its identity's object id across restarts and re-creations. */
export function seededGuid(seed: string): string {
  const h = createHash("sha256").update(seed.toLowerCase()).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const SITE_TENANT_ID = LOCAL_TENANT_ID;

export function hasSystemIdentity(site: Site): boolean {
  return /systemassigned/i.test(site.identityType);
}

/** The identity Key Vault references are read as; undefined when the site has none. */
export function referenceIdentity(site: Site): { principalId: string; clientId: string; resourceId: string } | undefined {
  if (site.keyVaultReferenceIdentity.toLowerCase() === "systemassigned") {
    if (!hasSystemIdentity(site)) return undefined;
    return { principalId: site.principalId, clientId: seededGuid(`client:${siteId(site.name)}`), resourceId: siteId(site.name) };
  }
  const entry = Object.entries(site.userAssignedIdentities).find(([id]) => id.toLowerCase() === site.keyVaultReferenceIdentity.toLowerCase());
  return entry && /userassigned/i.test(site.identityType) ? { ...entry[1], resourceId: entry[0] } : undefined;
}

export class SiteStore {
  readonly #sites = new Map<string, Site>();
  readonly #file: StateFile<{ sites: Site[] }>;

  constructor(stateDir: string | undefined) {
    this.#file = new StateFile(stateDir, "web.json");
    for (const site of this.#file.read()?.sites ?? []) this.#sites.set(site.name.toLowerCase(), site);
  }

  get(name: string): Site | undefined {
    return this.#sites.get(name.toLowerCase());
  }

  list(): Site[] {
    return [...this.#sites.values()];
  }

  put(site: Site): void {
    this.#sites.set(site.name.toLowerCase(), site);
    this.save();
  }

  delete(name: string): boolean {
    const deleted = this.#sites.delete(name.toLowerCase());
    if (deleted) this.save();
    return deleted;
  }

  save(): void {
    this.#file.write({ sites: this.list() });
  }
}
