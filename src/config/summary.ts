/** @module A short, secret-free description of a loaded config, for `kvguard config check` and logs. */
import type { KvguardConfig } from "./schema.js";

/**
 * One line per aspect: vaults, where they are, who kvguard acts as, the host's storage, the log level.
 * @param config - a loaded config (it holds no secret, so neither do these lines)
 */
export function summarizeConfig(config: KvguardConfig): string[] {
  const vaults = config.vaults.map((v) => (v.name === new URL(v.url).host ? v.url : `${v.name} (${v.url})`));
  const identity =
    config.identity.kind === "dev"
      ? `dev identity "${config.identity.name}"`
      : config.identity.managedIdentityClientId
        ? `user-assigned managed identity ${config.identity.managedIdentityClientId}`
        : "system-assigned managed identity (your Azure sign-in when run on a workstation)";
  const storage =
    config.storage.kind === "developmentStorage"
      ? "development storage (Azurite)"
      : config.storage.kind === "identity"
        ? `account ${config.storage.accountName}, reached with the managed identity`
        : `connection string${config.storage.accountName ? ` (AccountName=${config.storage.accountName})` : ""}`;
  const tag =
    config.discovery && (config.discovery.tag.value === undefined ? config.discovery.tag.name : `${config.discovery.tag.name}=${config.discovery.tag.value}`);
  const searched = config.discovery?.subscriptionIds ? "in KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS" : "in every subscription kvguard can read";
  return [
    `vaults: ${vaults.join(", ") || "none listed"}${tag ? `; and those tagged ${tag} ${searched}` : ""}`,
    `key vault: ${config.local ? `local, trusting the CA in ${config.local.caFile}` : "Azure"}`,
    `identity: ${identity}`,
    `storage: ${storage}`,
    `log level: ${config.logLevel}`,
  ];
}
