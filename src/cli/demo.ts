/**
 * @module The demo `npm start` runs against the local Key Vault: apps with different roles store, read
 * and are refused secrets; a key signs; Key Vault raises events and writes audit logs. It prints what
 * happened, never a secret value.
 */
import { createHash } from "node:crypto";
import type { LocalKeyVault } from "../../emulator/index.js";
import { devClaims, DevTokenCredential } from "../azure/devCredential.js";
import { createVaultClients } from "../azure/keyVaultClients.js";

const APPS = {
  payments: { name: "payments-api" },
  orders: { name: "orders-api" },
  intruder: { name: "unknown-app" },
  operator: { name: "platform-engineer", upn: "platform-engineer@kvguard.local" },
} as const;

type Say = (line: string) => void;

function statusOf(error: unknown): string {
  const e = error as { statusCode?: number; code?: string };
  return `${e.statusCode ?? "?"} ${e.code ?? (error as Error).message}`;
}

export async function runDemo(kv: LocalKeyVault, vaultName: string, say: Say): Promise<void> {
  const vault = kv.vaults.get(vaultName)!;
  const as = (identity: { name: string; upn?: string }) =>
    createVaultClients({
      vaultUrl: vault.url,
      credential: new DevTokenCredential(identity),
      ca: kv.tls.caPem,
      retryOptions: { maxRetries: 0 },
    });
  const events: string[] = [];
  const onEvent = (e: { eventType: string; subject: string }) => events.push(`${e.eventType.replace("Microsoft.KeyVault.", "")} ${e.subject}`);
  kv.events.on("event", onEvent);

  kv.setRoleAssignments(vault, [
    { principalId: devClaims(APPS.operator).oid!, role: "Key Vault Administrator" },
    { principalId: devClaims(APPS.payments).oid!, role: "Key Vault Secrets Officer" },
    { principalId: devClaims(APPS.orders).oid!, role: "Key Vault Secrets User" },
  ]);
  say(`Roles on ${vaultName}: platform-engineer=Administrator, payments-api=Secrets Officer, orders-api=Secrets User`);

  const expiresOn = new Date(kv.clock.nowMs() + 20 * 86_400_000);
  const stored = await as(APPS.payments).secrets.setSecret("payments-db-password", `demo-${Date.now().toString(36)}`, {
    contentType: "text/plain",
    tags: { CredentialId: "payments_app", ProviderAddress: "payments-db.postgres.database.azure.com", ValidityPeriodDays: "30" },
    expiresOn,
  });
  say(`payments-api stored secret payments-db-password version ${stored.properties.version} (expires ${expiresOn.toISOString().slice(0, 10)})`);
  const read = await as(APPS.orders).secrets.getSecret("payments-db-password");
  say(`orders-api read payments-db-password (${read.value?.length ?? 0} characters; values are never printed)`);
  const refused = await as(APPS.orders).secrets.setSecret("payments-db-password", "x").catch((e: unknown) => e);
  say(`orders-api tried to overwrite it: ${statusOf(refused)} (Secrets User may only read)`);
  const intruder = await as(APPS.intruder).secrets.getSecret("payments-db-password").catch((e: unknown) => e);
  say(`unknown-app tried to read it: ${statusOf(intruder)}`);

  const keys = as(APPS.operator);
  const key = await keys.keys.createRsaKey("demo-signing-key", { keySize: 2048 });
  const digest = createHash("sha256").update("release-manifest").digest();
  const signature = await keys.crypto(key.id!).sign("RS256", digest);
  const verified = await keys.crypto(key.id!).verify("RS256", digest, signature.result);
  say(`platform-engineer created RSA key demo-signing-key, signed a digest, verified: ${verified.result}`);

  // Expiry events are evaluated on a timer and whenever the clock moves; a tiny step runs them now.
  kv.clock.advance(1);
  kv.events.off("event", onEvent);
  say(`Events raised: ${events.length ? events.join(", ") : "none"}`);
}
