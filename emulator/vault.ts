/**
 * @module One vault of the local Key Vault: its identity, objects (secrets, keys, certificates with their
 * policies, pending operations, contacts and issuers), roles, recovery settings and the
 * management-plane properties the local cloud serves in ARM's shape (network, permission model, access
 * policies, private endpoints, diagnostic settings).
 */
import type { RoleAssignment } from "./auth/rbac.js";
import type { LocalCa } from "./certificates/issue.js";
import type { CertificatePolicy, CertificateVersion, Contact, Issuer, PendingOperation } from "./certificates/model.js";
import { VersionedStore } from "./common/versionedStore.js";
import type { KeyRotationPolicy, KeyVersion } from "./keys/model.js";
import type { SecretVersion } from "./secrets/model.js";

export interface VaultSettings {
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  tenantId: string;
  /** 7 to 90, as Key Vault allows. */
  softDeleteRetentionDays: number;
  purgeProtection: boolean;
  /** Reported through ARM only: deletes stay recoverable whatever it says. Default true. */
  softDelete?: boolean;
  /** Azure RBAC (true, default) or access policies; the data plane always enforces the role assignments. */
  rbacAuthorization?: boolean;
  /** "Enabled" (default) or "Disabled". */
  publicNetworkAccess?: string;
  /** Firewall; default Allow, AzureServices, no rules. */
  networkAcls?: NetworkAcls;
  privateEndpointConnections?: PrivateEndpointConnection[];
  /** Legacy access policies: stored and reported, not enforced. */
  accessPolicies?: AccessPolicy[];
  diagnosticSettings?: DiagnosticSetting[];
  /** "standard" (default) or "premium". */
  sku?: string;
  location?: string;
  enabledForDeployment?: boolean;
  enabledForDiskEncryption?: boolean;
  enabledForTemplateDeployment?: boolean;
  tags?: Record<string, string>;
  /**
   * Who may use the vault's management plane (ARM): principal object ids with Reader (read) or Contributor
   * (read and write). Absent or empty: every caller, the emulator's open default.
   */
  managementAccess?: ManagementAccess[];
}

export interface NetworkAcls {
  defaultAction: "Allow" | "Deny";
  bypass: "AzureServices" | "None";
  ipRules: string[];
  virtualNetworkRules: string[];
}

export interface PrivateEndpointConnection {
  name: string;
  privateEndpointId: string;
  status: "Approved" | "Pending" | "Rejected" | "Disconnected";
}

export interface AccessPolicy {
  tenantId: string;
  objectId: string;
  applicationId?: string;
  permissions: { keys?: string[]; secrets?: string[]; certificates?: string[]; storage?: string[] };
}

export interface DiagnosticLog {
  category?: string;
  categoryGroup?: string;
  enabled: boolean;
  retentionPolicy?: { enabled: boolean; days: number };
}

export interface DiagnosticSetting {
  name: string;
  workspaceId?: string;
  storageAccountId?: string;
  eventHubAuthorizationRuleId?: string;
  eventHubName?: string;
  logs: DiagnosticLog[];
}

export interface ManagementAccess {
  principalId: string;
  role: "Reader" | "Contributor";
}

export type VaultProperties = Required<Omit<VaultSettings, "name" | "subscriptionId" | "resourceGroup" | "tenantId">>;

/** A vault's management-plane properties, a local vault's defaults filled in: soft delete on, RBAC, public network open, no logs. */
export function vaultProperties(settings: VaultSettings): VaultProperties {
  return {
    softDeleteRetentionDays: settings.softDeleteRetentionDays,
    purgeProtection: settings.purgeProtection,
    softDelete: settings.softDelete ?? true,
    rbacAuthorization: settings.rbacAuthorization ?? true,
    publicNetworkAccess: settings.publicNetworkAccess ?? "Enabled",
    networkAcls: settings.networkAcls ?? { defaultAction: "Allow", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
    privateEndpointConnections: settings.privateEndpointConnections ?? [],
    accessPolicies: settings.accessPolicies ?? [],
    diagnosticSettings: settings.diagnosticSettings ?? [],
    sku: settings.sku ?? "standard",
    location: settings.location ?? "local",
    enabledForDeployment: settings.enabledForDeployment ?? false,
    enabledForDiskEncryption: settings.enabledForDiskEncryption ?? false,
    enabledForTemplateDeployment: settings.enabledForTemplateDeployment ?? false,
    tags: settings.tags ?? {},
    managementAccess: settings.managementAccess ?? [],
  };
}

export const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

export class Vault {
  readonly secrets = new VersionedStore<SecretVersion>("Secret");
  readonly keys = new VersionedStore<KeyVersion>("Key");
  readonly keyRotationPolicies = new Map<string, KeyRotationPolicy>();
  readonly certificates = new VersionedStore<CertificateVersion>("Certificate");
  /** By lower-cased certificate name: one policy per certificate, shared by its versions. */
  readonly certificatePolicies = new Map<string, CertificatePolicy>();
  /** By lower-cased certificate name: the last create's operation, until deleted or replaced. */
  readonly certificateOperations = new Map<string, PendingOperation>();
  certificateContacts?: Contact[];
  /** By lower-cased issuer name. */
  readonly certificateIssuers = new Map<string, Issuer>();
  /** The local CAs standing in for issuer providers; made when first needed, not saved. */
  readonly issuingCas = new Map<string, LocalCa>();
  roleAssignments: RoleAssignment[] = [];
  /** Set once the vault's server listens. */
  url = "";

  constructor(readonly settings: VaultSettings) {
    if (!VAULT_NAME.test(settings.name)) {
      throw new Error(
        `invalid vault name "${settings.name}": 3-24 characters, letters, digits and hyphens, starting with a letter and not ending with a hyphen`,
      );
    }
    if (settings.softDeleteRetentionDays < 7 || settings.softDeleteRetentionDays > 90) {
      throw new Error(`softDeleteRetentionDays must be 7 to 90, got ${settings.softDeleteRetentionDays}`);
    }
  }

  get name(): string {
    return this.settings.name;
  }

  /** ARM id, upper-cased in audit records as Azure writes them. */
  get resourceId(): string {
    const { subscriptionId, resourceGroup, name } = this.settings;
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.KeyVault/vaults/${name}`;
  }

  get recovery(): { recoveryLevel: string; recoverableDays: number } {
    return {
      recoveryLevel: this.settings.purgeProtection ? "Recoverable" : "Recoverable+Purgeable",
      recoverableDays: this.settings.softDeleteRetentionDays,
    };
  }

  /** Purges soft-deleted objects whose scheduled purge date has passed, with what is kept beside them. */
  purgeDue(nowSeconds: number): boolean {
    const keys = this.keys.purgeDue(nowSeconds);
    for (const name of keys) this.keyRotationPolicies.delete(name.toLowerCase());
    const certificates = this.certificates.purgeDue(nowSeconds);
    for (const name of certificates) {
      this.certificatePolicies.delete(name.toLowerCase());
      this.certificateOperations.delete(name.toLowerCase());
    }
    return this.secrets.purgeDue(nowSeconds).length + keys.length + certificates.length > 0;
  }
}
