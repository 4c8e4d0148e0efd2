/** @module One vault of the local Key Vault: its identity, objects, roles and recovery settings. */
import type { RoleAssignment } from "./auth/rbac.js";
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
}

export const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

export class Vault {
  readonly secrets = new VersionedStore<SecretVersion>("Secret");
  readonly keys = new VersionedStore<KeyVersion>("Key");
  readonly keyRotationPolicies = new Map<string, KeyRotationPolicy>();
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

  /** Purges soft-deleted objects whose scheduled purge date has passed. */
  purgeDue(nowSeconds: number): boolean {
    const keys = this.keys.purgeDue(nowSeconds);
    for (const name of keys) this.keyRotationPolicies.delete(name.toLowerCase());
    return this.secrets.purgeDue(nowSeconds).length + keys.length > 0;
  }
}
