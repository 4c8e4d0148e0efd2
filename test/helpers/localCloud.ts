/**
 * A local Key Vault with the local cloud over it (no Azurite), for tests of the cloud's providers: SDK
 * client options for ARM and the data planes, and a client of the cloud's admin APIs over HTTPS.
 */
import { startLocalCloud, type StartedLocalCloud } from "../../emulator/cloud/index.js";
import type { EmulatorOptions } from "../../emulator/index.js";
import { httpsRequest, type RawResponse } from "./https.js";
import { startTestVault, type TestVault } from "./localVault.js";

export interface TestCloud {
  tv: TestVault;
  cloud: StartedLocalCloud;
  ca: string;
  /** Options for an `@azure/*` client pointed at the local cloud: its endpoint, the CA, no slow retries. */
  armOptions(): { endpoint: string; tlsOptions: { ca: string }; credentials: { scopes: string[] }; retryOptions: { maxRetries: number } };
  /** Calls the local cloud's admin API (`/management/...`), which needs no token. */
  admin(method: string, path: string, body?: unknown): Promise<RawResponse>;
  /** Calls the local Key Vault's admin API (the clock lives there). */
  vaultAdmin(method: string, path: string, body?: unknown): Promise<RawResponse>;
  stop(): Promise<void>;
}

/** A JSON request to a local admin API (`/management/...`) under `base`. */
export function adminCall(base: string, ca: string, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return httpsRequest(`${base}${path}`, { method, ca, ...(text ? { headers: { "Content-Type": "application/json" }, body: text } : {}) });
}

export async function startTestCloud(options: EmulatorOptions = {}): Promise<TestCloud> {
  const tv = await startTestVault(options);
  const cloud = await startLocalCloud({ kv: tv.kv });
  const ca = tv.kv.tls.caPem;
  return {
    tv,
    cloud,
    ca,
    armOptions: () => ({
      endpoint: cloud.url,
      tlsOptions: { ca },
      credentials: { scopes: ["https://management.azure.com/.default"] },
      retryOptions: { maxRetries: 0 },
    }),
    admin: (method, path, body) => adminCall(cloud.url, ca, method, path, body),
    vaultAdmin: (method, path, body) => adminCall(tv.url, ca, method, path, body),
    async stop() {
      await cloud.close();
      await tv.kv.close();
    },
  };
}
