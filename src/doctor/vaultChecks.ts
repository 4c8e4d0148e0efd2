/**
 * @module Doctor checks of one managed vault: list secret and key properties (never values), then prove the
 * write permissions rotation needs without changing anything, by probing an object that does not exist:
 * Key Vault decides RBAC before it looks the object up, so a 404 means "allowed" and a 403 names the role
 * that is missing.
 */
import type { TokenCredential } from "@azure/core-auth";
import { createVaultClients } from "../azure/keyVaultClients.js";
import { statusOf } from "../common/errors.js";
import type { VaultTarget } from "../config/vaultUrl.js";
import { runCheck, type CheckResult } from "./check.js";
import { diagnoseVault, ListRefused } from "./fixes.js";

/** A name no one uses; each probe expects 404 for it. */
export const PROBE_NAME = "kvguard-doctor-probe";
/** A version id that never exists (Key Vault versions are 32 hex digits). */
const PROBE_VERSION = "00000000000000000000000000000000";

/** Runs a probe that must not find its object: 404 is the success, anything else but success is thrown. */
async function expectMissing(probe: () => Promise<unknown>): Promise<"missing" | "exists"> {
  try {
    await probe();
    return "exists";
  } catch (error) {
    if (statusOf(error) === 404) return "missing";
    throw error;
  }
}

/**
 * The first page of a listing. When it is refused, a single request needing the same permission (every
 * built-in role that lacks the listing's lacks it too) is made for Key Vault's full message.
 */
async function firstPage<T>(action: string, list: () => Promise<IteratorResult<T[]>>, single: () => Promise<unknown>): Promise<number> {
  try {
    const page = await list();
    return page.done ? 0 : page.value.length;
  } catch (error) {
    if (statusOf(error) !== 403) throw error;
    throw new ListRefused(
      action,
      await single().then(
        () => error,
        (refused: unknown) => refused,
      ),
    );
  }
}

export interface VaultCheckOptions {
  credential: TokenCredential;
  /** The local Key Vault's CA, when the vaults are local. */
  ca?: string;
  timeoutMs: number;
  /** kvguard's principal id (from the identity check), for the fix's command line. */
  principalId?: string;
}

export async function vaultChecks(vault: VaultTarget, options: VaultCheckOptions): Promise<CheckResult[]> {
  const clients = createVaultClients({ vaultUrl: vault.url, credential: options.credential, ...(options.ca ? { ca: options.ca } : {}) });
  const context = { vaultName: vault.name, vaultUrl: vault.url, ...(options.principalId ? { principalId: options.principalId } : {}) };
  let attempted = "";

  const secrets = await runCheck(
    `vault ${vault.name}: secrets`,
    options.timeoutMs,
    async (abortSignal) => {
      attempted = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";
      const count = await firstPage(
        attempted,
        () => clients.secrets.listPropertiesOfSecrets({ abortSignal }).byPage({ maxPageSize: 25 }).next(),
        () => clients.secrets.getSecret(PROBE_NAME, { version: PROBE_VERSION, abortSignal }),
      );
      attempted = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
      await expectMissing(() => clients.secrets.getSecret(PROBE_NAME, { version: PROBE_VERSION, abortSignal }));
      attempted = "Microsoft.KeyVault/vaults/secrets/update/action";
      await expectMissing(() => clients.secrets.updateSecretProperties(PROBE_NAME, PROBE_VERSION, { abortSignal }));
      return `listed secret properties (${count}${count === 25 ? "+" : ""} on the first page); reading and updating secrets allowed`;
    },
    (error) => diagnoseVault(error, { ...context, attempted }),
  );

  const keys = await runCheck(
    `vault ${vault.name}: keys`,
    options.timeoutMs,
    async (abortSignal) => {
      attempted = "Microsoft.KeyVault/vaults/keys/read";
      const count = await firstPage(
        attempted,
        () => clients.keys.listPropertiesOfKeys({ abortSignal }).byPage({ maxPageSize: 25 }).next(),
        () => clients.keys.getKey(PROBE_NAME, { abortSignal }),
      );
      // Rotating the probe must not rotate a real key: only when it surely does not exist.
      if ((await expectMissing(() => clients.keys.getKey(PROBE_NAME, { abortSignal }))) === "exists") {
        return `listed key properties (${count} on the first page); a key named ${PROBE_NAME} exists, so rotation permission was not probed`;
      }
      attempted = "Microsoft.KeyVault/vaults/keys/rotate/action";
      await expectMissing(() => clients.keys.rotateKey(PROBE_NAME, { abortSignal }));
      return `listed key properties (${count}${count === 25 ? "+" : ""} on the first page); rotating keys allowed`;
    },
    (error) => diagnoseVault(error, { ...context, attempted }),
  );
  return [secrets, keys];
}
