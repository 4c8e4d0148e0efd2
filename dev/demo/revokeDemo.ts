/**
 * @module The audit-aware revoke in the `npm start` demo: `demo-billing-db` rotates every two minutes of vault
 * time with a short grace, and two apps read it: `reports-job` asks for the latest version every 2 seconds (it
 * switches at once), `billing-api` keeps reading the version it first got (a cached, pinned credential). After
 * each rotation the sweep's revoke waits for billing-api (the history line "billing-api… has not read the new
 * version…"), until the maximum grace; once its pinned version is revoked and disabled, billing-api fails
 * loudly, restarts and reads the new version. The demo prints the first wait from the status table too, so
 * `--once` can wait for it.
 */
import type { SecretClient } from "@azure/keyvault-secrets";
import type { LocalKeyVault } from "../../emulator/index.js";
import { devClaims, DevTokenCredential, type DevIdentity } from "../../src/azure/devCredential.js";
import { createVaultClients } from "../../src/azure/keyVaultClients.js";
import { ensureError, statusOf } from "../../src/common/errors.js";
import { pendingRevokes, type StatusStore } from "../../src/rotation/status.js";

export const REVOKE_DEMO_SECRET = "demo-billing-db";
const OPERATOR: DevIdentity = { name: "platform-engineer", upn: "platform-engineer@kvguard.local" };
const BILLING: DevIdentity = { name: "billing-api", upn: "billing-api@kvguard.local" };
const REPORTS: DevIdentity = { name: "reports-job", upn: "reports-job@kvguard.local" };
const READ_MS = 2000;

export interface RevokeDemoOptions {
  kv: LocalKeyVault;
  vault: string;
  vaultUrl: string;
  status: StatusStore;
  write: (line: string) => void;
}

export interface RevokeDemo {
  secretName: string;
  /** Resolves once a revoke of the secret waits for a consumer (the status row has alerted one). */
  waiting(timeoutMs: number): Promise<void>;
  stop(): void;
}

function client(options: RevokeDemoOptions, who: DevIdentity): SecretClient {
  return createVaultClients({ vaultUrl: options.vaultUrl, credential: new DevTokenCredential(who), ca: options.kv.tls.caPem }).secrets;
}

export async function startRevokeDemo(options: RevokeDemoOptions): Promise<RevokeDemo> {
  const vault = options.kv.vaults.get(options.vault.toLowerCase())!;
  // A vault without role assignments admits everyone; once it has some (the audit demo's), the two apps need theirs.
  if (vault.roleAssignments.length > 0) {
    const readers = [BILLING, REPORTS].map((who) => ({ principalId: devClaims(who).oid!, role: "Key Vault Secrets User" as const }));
    options.kv.setRoleAssignments(vault, [...vault.roleAssignments.filter((a) => !readers.some((r) => r.principalId === a.principalId)), ...readers]);
  }
  const operator = client(options, OPERATOR);
  try {
    await operator.getSecret(REVOKE_DEMO_SECRET);
  } catch (error) {
    if (statusOf(error) !== 404 && statusOf(error) !== 403) throw error;
    if (statusOf(error) === 404) {
      await operator.setSecret(REVOKE_DEMO_SECRET, `billing-${crypto.randomUUID()}`, {
        tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "PT2M", "kvguard-grace-period": "PT5S" },
      });
    }
  }
  options.write(
    `revoke demo: ${REVOKE_DEMO_SECRET} rotates every 2 minutes; reports-job reads its latest version every 2 seconds, billing-api keeps the version it first read, so each revoke waits for billing-api`,
  );
  const billing = client(options, BILLING);
  const reports = client(options, REPORTS);
  let pinned: string | undefined;
  let busy = false;
  const tick = async () => {
    await reports.getSecret(REVOKE_DEMO_SECRET);
    if (!pinned) {
      pinned = (await billing.getSecret(REVOKE_DEMO_SECRET)).properties.version!;
      return;
    }
    try {
      await billing.getSecret(REVOKE_DEMO_SECRET, { version: pinned });
    } catch (error) {
      if (statusOf(error) !== 403) throw error;
      options.write(`revoke demo: billing-api's version ${pinned.slice(0, 8)} was revoked and disabled; billing-api restarts and reads the new version`);
      pinned = undefined;
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch((error: unknown) => options.write(`revoke demo: cannot read ${REVOKE_DEMO_SECRET}: ${ensureError(error).message}`))
      .finally(() => (busy = false));
  }, READ_MS);
  timer.unref();

  let told = false;
  const waiting = async (timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const row = await options.status.get(options.vault, REVOKE_DEMO_SECRET, "secret").catch(() => undefined);
      const held = pendingRevokes(row).find((r) => r.alerted?.length);
      if (held) {
        if (!told)
          options.write(`revoke demo: the revoke of ${REVOKE_DEMO_SECRET} version ${held.version.slice(0, 8)} waits for billing-api (kvguard status shows it)`);
        told = true;
        return;
      }
      if (Date.now() > until) throw new Error(`no revoke of ${REVOKE_DEMO_SECRET} waited for billing-api within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  return { secretName: REVOKE_DEMO_SECRET, waiting, stop: () => clearInterval(timer) };
}
