/** Starts a local Key Vault for a test file and builds SDK clients against it. */
import { LocalKeyVault, type EmulatorOptions } from "../../emulator/index.js";
import { DevTokenCredential, type DevIdentity } from "../../src/azure/devCredential.js";
import { createVaultClients, type VaultClients } from "../../src/azure/keyVaultClients.js";

export interface TestVault {
  kv: LocalKeyVault;
  url: string;
  clients(identity?: DevIdentity, vaultName?: string): VaultClients;
}

/**
 * Deletes and recovers complete at once here unless a test asks for Key Vault's moment (`lroSeconds`): a
 * test about something else then reads what it wrote without polling, and the tests about the moment set
 * it and move the vault's clock through it, racing no real time.
 */
export async function startTestVault(options: EmulatorOptions = {}): Promise<TestVault> {
  const kv = await LocalKeyVault.start({ lroSeconds: 0, ...options });
  const first = Object.values(kv.urls)[0]!;
  return {
    kv,
    url: first,
    clients(identity = { name: "test-app" }, vaultName) {
      return createVaultClients({
        vaultUrl: vaultName ? kv.urls[vaultName]! : first,
        credential: new DevTokenCredential(identity),
        ca: kv.tls.caPem,
        // Fast retries keep negative-path tests quick; throttling tests set their own.
        retryOptions: { maxRetries: 0 },
      });
    },
  };
}

/**
 * Writes out the local Key Vault's audit records: every request answered so far is in its files afterwards
 * (each record is written as its response is sent, through buffered streams). Closing the writer flushes
 * it; the next request opens its hour's file again, appending.
 */
export function flushAudit(kv: LocalKeyVault): Promise<void> {
  return kv.audit.close();
}
