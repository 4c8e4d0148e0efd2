/**
 * @module The vaults kvguard guards: those of KVGUARD_VAULT_URLS and, with KVGUARD_DISCOVERY_TAG, those
 * found by tag through ARM. Discovery runs once per app; what it could not read is logged, not fatal, and
 * kept for `kvguard status` and the status page to show.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { KvguardConfig } from "../config/schema.js";
import type { Discovery } from "../discovery/discover.js";

export interface Guarded {
  /** The config whose `vaults` are every guarded vault (and whose compliance subscriptions include discovery's). */
  config: KvguardConfig;
  /** Present when KVGUARD_DISCOVERY_TAG is set. */
  discovery?: Discovery;
}

export async function guardedVaults(config: KvguardConfig, credential: () => Promise<TokenCredential>, log: (line: string) => void): Promise<Guarded> {
  if (!config.discovery) return { config };
  const { discoverVaults, noVaultNote, withDiscovered } = await import("../discovery/discover.js");
  const discovery = await discoverVaults(config, await credential());
  for (const problem of discovery.problems) log(`vault discovery: ${problem}`);
  if (discovery.vaults.length === 0 && config.vaults.length === 0) log(noVaultNote(config));
  return { config: withDiscovered(config, discovery), discovery };
}
