/** A local Key Vault and Azurite for a test file, and a kvguard config pointing at them. */
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { localCloudSettings, startLocalCloud, type StartedLocalCloud } from "../../emulator/cloud/index.js";
import type { EmulatorOptions } from "../../emulator/index.js";
import { loadConfig, type KvguardConfig } from "../../src/config/schema.js";
import { startTestVault, type TestVault } from "./localVault.js";

export interface LocalStack {
  tv: TestVault;
  azurite: RunningAzurite;
  /** ARM, Graph and the Entra token endpoint over the vaults and Azurite's accounts. */
  cloud: StartedLocalCloud;
  /** The environment kvguard would run with (app settings). */
  env: Record<string, string>;
  config: KvguardConfig;
  stop(): Promise<void>;
}

export async function startLocalStack(options: EmulatorOptions & { settings?: Record<string, string> } = {}): Promise<LocalStack> {
  const [tv, azurite] = await Promise.all([startTestVault(options), startAzurite()]);
  const cloud = await startLocalCloud({ kv: tv.kv, azurite });
  const env = {
    KVGUARD_VAULT_URLS: Object.entries(tv.kv.urls)
      .map(([name, url]) => `${name}=${url}`)
      .join(","),
    KVGUARD_LOCAL_CA_FILE: tv.kv.caFile,
    AzureWebJobsStorage: azurite.connectionString,
    ...localCloudSettings(cloud),
    ...options.settings,
  };
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`test config is invalid: ${result.problems.map((p) => p.message).join("; ")}`);
  return {
    tv,
    azurite,
    cloud,
    env,
    config: result.config,
    async stop() {
      await Promise.all([tv.kv.close(), azurite.stop(), cloud.close()]);
    },
  };
}
