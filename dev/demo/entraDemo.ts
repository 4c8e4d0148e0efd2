/**
 * @module The Entra ID part of `npm start`: an application in the local Entra whose client secret is a demo
 * secret rotated by the `entra-app-secret` rotator, and a watcher that gets a token with each new version
 * and says so (never the secret).
 *
 *   const demo = await startEntraDemo({ kv, cloudUrl: cloud.url, vaultUrl, write });  // after the stack is up
 *   …
 *   demo.stop();                                                                        // before the stack stops
 *
 * - The app `kvguard-demo-app` (fixed object id and appId, so a restart on the same state folder finds it),
 *   owned by kvguard's development identity, which gets Graph's Application.ReadWrite.OwnedBy (as an admin
 *   would consent to it).
 * - The secret `demo-entra-app-secret` in the demo vault, seeded once with a first client secret added "by
 *   hand": tags `kvguard-rotator: entra-app-secret`, `ProviderAddress` (the app's object id), `CredentialId`
 *   (its keyId), `kvguard-rotate-every: PT2M`, `kvguard-grace-period: PT5M` (the vault's clock) and
 *   `revokeInitial=true`, so the first secret is removed after its grace period too.
 * - Every `pollMs` the watcher reads the secret; when its version changes it requests a token as the app
 *   with the new value and writes one line: `entra demo: kvguard-demo-app got a token with version V of
 *   demo-entra-app-secret (client secret K)`, or the token endpoint's refusal.
 */
import type { SecretClient } from "@azure/keyvault-secrets";
import { LocalEntraAdmin, type AdminApplication } from "../../emulator/cloud/entra/adminClient.js";
import type { LocalKeyVault } from "../../emulator/index.js";
import { devClaims, DevTokenCredential } from "../../src/azure/devCredential.js";
import { createVaultClients } from "../../src/azure/keyVaultClients.js";
import { ensureError, statusOf } from "../../src/common/errors.js";
import { ownTenant, proveSecret } from "../../src/rotators/entra-app-secret/secretCheck.js";

export const ENTRA_DEMO = {
  secretName: "demo-entra-app-secret",
  displayName: "kvguard-demo-app",
  objectId: "6b1d1f3e-5c8a-4b2e-9f0d-000000000d30",
  appId: "6b1d1f3e-5c8a-4b2e-9f0d-0000000a9901",
} as const;

export interface EntraDemoOptions {
  kv: LocalKeyVault;
  /** The local cloud's URL (Graph, the Entra token endpoint and the local Entra's admin API). */
  cloudUrl: string;
  /** The demo vault's URL. */
  vaultUrl: string;
  write(line: string): void;
  /** How often the secret is rotated (ISO-8601 on the vault's clock; default PT2M). */
  rotateEvery?: string;
  /** How often the watcher looks for a new version (default 2 s). */
  pollMs?: number;
}

export interface EntraDemo {
  appId: string;
  secretName: string;
  stop(): void;
}

/** The operator who set the demo up (the same development identity as the demo vault's seeding). */
const OPERATOR = { name: "platform-engineer", upn: "platform-engineer@kvguard.local" };
/** kvguard's development identity (the settings' default), which the app is owned by. */
const KVGUARD = { name: "kvguard" };

async function demoApp(admin: LocalEntraAdmin, kvguardOid: string): Promise<AdminApplication> {
  await admin.setPermissions(kvguardOid, ["Application.ReadWrite.OwnedBy"]);
  try {
    return await admin.getApplication(ENTRA_DEMO.objectId);
  } catch {
    return admin.createApplication({ displayName: ENTRA_DEMO.displayName, id: ENTRA_DEMO.objectId, appId: ENTRA_DEMO.appId, owners: [kvguardOid] });
  }
}

async function exists(secrets: SecretClient, name: string): Promise<boolean> {
  try {
    await secrets.getSecret(name);
    return true;
  } catch (error) {
    // 403: the latest version is disabled; it exists.
    if (statusOf(error) === 404) return false;
    if (statusOf(error) === 403) return true;
    throw error;
  }
}

/** Seeds the app and the secret (once), then watches the secret's versions. */
export async function startEntraDemo(options: EntraDemoOptions): Promise<EntraDemo> {
  const ca = options.kv.tls.caPem;
  const admin = new LocalEntraAdmin(options.cloudUrl, ca);
  const app = await demoApp(admin, devClaims(KVGUARD).oid!);
  const { secrets } = createVaultClients({ vaultUrl: options.vaultUrl, credential: new DevTokenCredential(OPERATOR), ca });
  if (!(await exists(secrets, ENTRA_DEMO.secretName))) {
    const first = await admin.addPassword(app.id, { displayName: "made by hand (demo)" });
    await secrets.setSecret(ENTRA_DEMO.secretName, first.secretText, {
      contentType: "text/plain",
      tags: {
        "kvguard-rotator": "entra-app-secret",
        ProviderAddress: app.id,
        CredentialId: first.keyId,
        "kvguard-rotate-every": options.rotateEvery ?? "PT2M",
        "kvguard-grace-period": "PT5M",
        "kvguard-options": "revokeInitial=true;propagationSeconds=30",
      },
    });
    options.write(`entra demo: seeded ${ENTRA_DEMO.secretName} with a first client secret of ${ENTRA_DEMO.displayName} (appId ${app.appId})`);
  }

  const runtime = { graphEndpoint: options.cloudUrl, authorityHost: options.cloudUrl, ca, credential: new DevTokenCredential(KVGUARD) };
  const tenant = await ownTenant(runtime);
  let seen: string | undefined;
  let busy = false;
  const watch = async () => {
    const secret = await secrets.getSecret(ENTRA_DEMO.secretName);
    const version = secret.properties.version!;
    if (version === seen) return;
    seen = version;
    const keyId = secret.properties.tags?.CredentialId ?? "unknown";
    try {
      await proveSecret(runtime, tenant, app.appId, secret.value ?? "", "https://graph.microsoft.com/.default");
      options.write(`entra demo: ${ENTRA_DEMO.displayName} got a token with version ${version} of ${ENTRA_DEMO.secretName} (client secret ${keyId})`);
    } catch (error) {
      options.write(`entra demo: no token with version ${version} of ${ENTRA_DEMO.secretName}: ${ensureError(error).message}`);
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    watch()
      .catch((error: unknown) => options.write(`entra demo: cannot read ${ENTRA_DEMO.secretName}: ${ensureError(error).message}`))
      .finally(() => (busy = false));
  }, options.pollMs ?? 2000);
  timer.unref();
  return { appId: app.appId, secretName: ENTRA_DEMO.secretName, stop: () => clearInterval(timer) };
}
