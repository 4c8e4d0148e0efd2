/**
 * @module The doctor's discovery checks (with KVGUARD_DISCOVERY_TAG): which vaults ARM shows with the tag,
 * and for each whether Key Vault's events reach kvguard (an Event Grid subscription of the vault taking
 * SecretNearExpiry, through `@azure/arm-eventgrid`) and whether its access is audited (a diagnostic setting
 * sending AuditEvent, through `@azure/arm-monitor`, judged as the compliance check judges it).
 */
import { EventGridManagementClient } from "@azure/arm-eventgrid";
import type { TokenCredential } from "@azure/core-auth";
import { armClientOptions } from "../azure/cloudClients.js";
import { sendsAuditEvent } from "../compliance/managementPlane.js";
import type { KvguardConfig } from "../config/schema.js";
import { discoverVaults, noVaultNote, type DiscoveredVault } from "../discovery/discover.js";
import { CheckFailure, runCheck, type CheckResult } from "./check.js";
import { network } from "./fixes.js";

/** The event kvguard's rotations start from; a subscription without a type filter takes it too. */
const NEAR_EXPIRY = "Microsoft.KeyVault.SecretNearExpiry";
const EVENT_TYPES = "Microsoft.KeyVault.SecretNearExpiry Microsoft.KeyVault.SecretExpired Microsoft.KeyVault.KeyNearExpiry Microsoft.KeyVault.KeyExpired";

async function eventSubscriptionCheck(config: KvguardConfig, credential: TokenCredential, vault: DiscoveredVault, abortSignal: AbortSignal): Promise<string> {
  const client = new EventGridManagementClient(credential, vault.subscription.subscriptionId, armClientOptions(config.cloud, config.local?.caPem));
  const names: string[] = [];
  for await (const s of client.eventSubscriptions.listByResource(vault.resourceGroup, "Microsoft.KeyVault", "vaults", vault.target.name, { abortSignal })) {
    const types = s.filter?.includedEventTypes;
    if (!types?.length || types.some((t) => t.toLowerCase() === NEAR_EXPIRY.toLowerCase())) names.push(s.name ?? "");
  }
  if (names.length === 0) {
    throw new CheckFailure(
      `no Event Grid subscription of vault ${vault.target.name} takes ${NEAR_EXPIRY}: its secrets rotate only on the sweep's schedule`,
      `subscribe kvguard's onVaultEvent function to the vault's events: az eventgrid event-subscription create --name kvguard --source-resource-id ${vault.resourceId} --endpoint-type azurefunction --endpoint <the onVaultEvent function's resource id> --included-event-types ${EVENT_TYPES}`,
    );
  }
  return `events reach kvguard through ${names.join(", ")}`;
}

async function auditSettingCheck(config: KvguardConfig, vault: DiscoveredVault): Promise<string> {
  const settings = await vault.subscription.clients.monitor.diagnosticSettings.list(vault.resourceId.replace(/^\//, ""));
  const auditing = (settings.value ?? []).filter((s) =>
    (s.logs ?? []).some((log) => sendsAuditEvent(log, config.compliance.logRetentionDays, Boolean(s.storageAccountId))),
  );
  if (auditing.length === 0) {
    throw new CheckFailure(
      `vault ${vault.target.name} has no diagnostic setting sending AuditEvent: kvguard's audit cannot see who reads it`,
      `az monitor diagnostic-settings create --name kvguard-audit --resource ${vault.resourceId} --workspace <the Log Analytics workspace kvguard reads (KVGUARD_AUDIT_WORKSPACE_IDS)> --logs '[{"category":"AuditEvent","enabled":true}]'`,
    );
  }
  return `AuditEvent goes out through ${auditing.map((s) => s.name).join(", ")}`;
}

export async function discoveryChecks(config: KvguardConfig, credential: TokenCredential, timeoutMs: number): Promise<CheckResult[]> {
  if (!config.discovery) return [];
  const { tag } = config.discovery;
  const tagText = tag.value === undefined ? tag.name : `${tag.name}=${tag.value}`;
  const fixArm = (error: Error) =>
    network(error, config.cloud.armEndpoint, "check KVGUARD_ARM_ENDPOINT and that kvguard's identity is Reader on the subscriptions searched");
  let found: DiscoveredVault[] = [];
  const listing = await runCheck(
    "discovery: vaults by tag",
    timeoutMs,
    async () => {
      const discovery = await discoverVaults(config, credential);
      found = discovery.vaults;
      const searched = config.discovery?.subscriptionIds ? "KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS" : "the subscriptions kvguard's identity can read";
      const what = `${found.length} vault(s) tagged ${tagText}${found.length ? `: ${found.map((v) => v.target.name).join(", ")}` : ""} in ${discovery.subscriptionIds.length} subscription(s) of ${searched}`;
      const none = found.length === 0 && config.vaults.length === 0;
      if (discovery.problems.length)
        throw new CheckFailure(
          `${what}${none ? `: ${noVaultNote(config)}` : ""}; ${discovery.problems.join("; ")}`,
          "grant kvguard's identity Reader on each subscription named (or on its vaults); with KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS set, only those are searched",
        );
      if (none)
        throw new CheckFailure(
          `${what}: ${noVaultNote(config)}`,
          `tag each vault kvguard should guard with ${tagText} and grant kvguard's identity Reader on its subscription, or list vaults in KVGUARD_VAULT_URLS`,
        );
      return what;
    },
    fixArm,
  );
  const results = [listing];
  for (const vault of found) {
    results.push(
      await runCheck(`discovered vault ${vault.target.name}: events`, timeoutMs, (signal) => eventSubscriptionCheck(config, credential, vault, signal), fixArm),
    );
    results.push(await runCheck(`discovered vault ${vault.target.name}: audit logs`, timeoutMs, () => auditSettingCheck(config, vault), fixArm));
  }
  return results;
}
