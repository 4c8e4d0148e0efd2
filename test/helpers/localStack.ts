/** A local Key Vault and Azurite for a test file, and a kvguard config pointing at them. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  /**
   * Rewrites the operator's policy file (bindings, managers, entries) as an operator would; the engine reads it
   * again on every job. Only on a stack started with `policy`.
   */
  writePolicy?(document: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalStack(
  options: EmulatorOptions & { settings?: Record<string, string>; policy?: Record<string, unknown> } = {},
): Promise<LocalStack> {
  const [tv, azurite] = await Promise.all([startTestVault(options), startAzurite()]);
  const cloud = await startLocalCloud({ kv: tv.kv, azurite });
  const policyFile = options.policy ? join(await mkdtemp(join(tmpdir(), "kvguard-operator-")), "policy.json") : undefined;
  const writePolicy = async (document: Record<string, unknown>) => {
    if (!policyFile) throw new Error("start the stack with a policy to rewrite it");
    await writeFile(policyFile, JSON.stringify(document, null, 2));
  };
  if (options.policy) await writePolicy(options.policy);
  const env = {
    KVGUARD_VAULT_URLS: Object.entries(tv.kv.urls)
      .map(([name, url]) => `${name}=${url}`)
      .join(","),
    KVGUARD_LOCAL_CA_FILE: tv.kv.caFile,
    AzureWebJobsStorage: azurite.connectionString,
    ...localCloudSettings(cloud),
    ...(policyFile ? { KVGUARD_POLICY_FILE: policyFile } : {}),
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
    writePolicy,
    async stop() {
      await Promise.all([tv.kv.close(), azurite.stop(), cloud.close()]);
    },
  };
}
