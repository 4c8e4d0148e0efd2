/**
 * @module The doctor's compliance check: every managed vault must be visible through ARM in the
 * subscriptions KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS lists, as the compliance run finds it (vaults listed by
 * subscription, matched by URL, else by name). ARM lists only what the identity may read, so a vault
 * missing from the list lacks the read role, or lies in a subscription not listed.
 */
import type { Vault } from "@azure/arm-keyvault";
import type { TokenCredential } from "@azure/core-auth";
import { armClientOptions } from "../azure/cloudClients.js";
import { createArmClients } from "../compliance/armClients.js";
import type { KvguardConfig } from "../config/schema.js";
import { CheckFailure, runCheck, skipped, type CheckResult } from "./check.js";
import { grantCommand, network } from "./fixes.js";

const normalUrl = (url: string) => url.toLowerCase().replace(/\/+$/, "");

export async function complianceChecks(config: KvguardConfig, credential: TokenCredential, timeoutMs: number, principalId?: string): Promise<CheckResult[]> {
  const name = "compliance: vaults in ARM";
  const { subscriptionIds } = config.compliance;
  if (subscriptionIds.length === 0) {
    return [skipped(name, "KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS is not set: compliance reports cannot read vault properties")];
  }
  const check = await runCheck(
    name,
    timeoutMs,
    async (abortSignal) => {
      const seen: Vault[] = [];
      for (const subscriptionId of subscriptionIds) {
        const clients = createArmClients(credential, subscriptionId, armClientOptions(config.cloud, config.local?.caPem));
        for await (const vault of clients.keyVault.vaults.listBySubscription({ abortSignal })) seen.push(vault);
      }
      const missing = config.vaults.filter(
        (v) =>
          !seen.some((s) => (s.properties.vaultUri && normalUrl(s.properties.vaultUri) === normalUrl(v.url)) || s.name?.toLowerCase() === v.name.toLowerCase()),
      );
      if (missing.length > 0) {
        const names = missing.map((v) => v.name).join(", ");
        throw new CheckFailure(
          `ARM lists ${seen.length} vault(s) in ${subscriptionIds.join(", ")}, not ${names}`,
          `grant Key Vault Reader on ${missing.length === 1 ? "the vault" : "each vault"} ${principalId ? `to ${principalId} ` : ""}(compliance reads vault properties through ARM, and ARM lists only what the identity may read): ${grantCommand("Key Vault Reader", "<the vault's resource id>", principalId)}; or add the vault's subscription to KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS`,
        );
      }
      return `every managed vault found among ${seen.length} vault(s) of ${subscriptionIds.length} subscription(s)`;
    },
    (error) => network(error, config.cloud.armEndpoint, "check KVGUARD_ARM_ENDPOINT and KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS"),
  );
  return [check];
}
