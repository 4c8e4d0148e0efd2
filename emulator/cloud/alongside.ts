/**
 * @module The local cloud (and Azurite) started alongside a running local Key Vault, as `kvguard emulator
 * --cloud --azurite` does, with the settings that point kvguard at all of them: one call for a script that
 * wants the whole local stack without kvguard's own runner.
 */
import { join } from "node:path";
import { startAzurite, type RunningAzurite } from "../azurite.js";
import type { LocalKeyVault } from "../localKeyVault.js";
import { localCloudSettings, startLocalCloud, type StartedLocalCloud } from "./index.js";

export interface AlongsideOptions {
  cloud: boolean;
  azurite: boolean;
  /** Port of the local cloud; 0 (default): any free port. */
  cloudPort?: number;
}

export interface Alongside {
  cloud?: StartedLocalCloud;
  azurite?: RunningAzurite;
  /** kvguard's settings for this stack: vaults, CA, and the cloud's and Azurite's endpoints when started. */
  settings: Record<string, string>;
  close(): Promise<void>;
}

/** Starts what was asked for; Azurite keeps its data in `<state>/azurite` when the vaults have a state folder. */
export async function startAlongside(kv: LocalKeyVault, options: AlongsideOptions): Promise<Alongside> {
  const stateDir = kv.options.stateDir;
  const azurite = options.azurite ? await startAzurite(stateDir ? { location: join(stateDir, "azurite") } : {}) : undefined;
  let cloud: StartedLocalCloud | undefined;
  try {
    if (options.cloud)
      cloud = await startLocalCloud({ kv, ...(azurite ? { azurite } : {}), ...(options.cloudPort !== undefined ? { port: options.cloudPort } : {}) });
  } catch (error) {
    await azurite?.stop();
    throw error;
  }
  const settings: Record<string, string> = {
    KVGUARD_VAULT_URLS: Object.entries(kv.urls)
      .map(([name, url]) => `${name}=${url}`)
      .join(","),
    KVGUARD_LOCAL_CA_FILE: kv.caFile,
    ...(cloud ? localCloudSettings(cloud) : {}),
    ...(azurite ? { AzureWebJobsStorage: azurite.connectionString } : {}),
  };
  return {
    ...(cloud ? { cloud } : {}),
    ...(azurite ? { azurite } : {}),
    settings,
    async close() {
      await cloud?.close();
      await azurite?.stop();
    },
  };
}
