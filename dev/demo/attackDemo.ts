/**
 * @module The audit demo behind `npm start`: realistic traffic from several development identities against
 * the local Key Vault's demo vault, then a few attacks, then the `auditScan` function over the vault's audit
 * folder, so a newcomer sees findings (and the alerts they raise) within a minute of starting.
 *
 * Baselines need history before "unusual" findings count, so the warm-up moves the vault's clock a day at
 * a time over the baseline window (`KVGUARD_AUDIT_BASELINE_DAYS`, plus a day): two apps read their secrets
 * and an operator lists and reads on weekdays, every day. Then, on the attack day, at the usual hour:
 * - a build agent's stolen credential lists the vault and reads every secret (list-then-get, mass
 *   retrieval, first-seen principal);
 * - a scanner with no role probes secrets and is denied again and again (denied-access burst);
 * - the operator deletes and purges a secret (destructive operation, unusual operation).
 * The attackers get a new name on each run (by the vault's date), so a second `npm start` shows them again
 * instead of having learned them. Values are random and never printed.
 */
import { randomBytes } from "node:crypto";
import type { Timer } from "@azure/functions";
import type { LocalKeyVault } from "../../emulator/index.js";
import type { Finding } from "../../src/audit/finding.js";
import type { App } from "../../src/app/index.js";
import { FINDINGS_TABLE, TableFindingStore } from "../../src/audit/store/findingStore.js";
import { devClaims, DevTokenCredential, type DevIdentity } from "../../src/azure/devCredential.js";
import { createVaultClients, type VaultClients } from "../../src/azure/keyVaultClients.js";
import { statusOf } from "../../src/common/errors.js";
import { DEFAULT_LOCAL_IDENTITY } from "../../src/config/schema.js";
import { auditScanHandler } from "../../src/functions/auditScan.js";
import { createContext, type LineWriter } from "../runner/invocation.js";

const DAY_SECONDS = 86_400;
/** Secrets the apps read every day; the intruder reads these and the settings below. */
const APP_SECRETS = ["api-token", "payments-db-password", "third-party-api-key"];
/** Enough further secrets that reading them all is a mass retrieval (more than 10 distinct in an hour). */
const SETTINGS = Array.from({ length: 10 }, (_, i) => `demo-app-setting-${String(i + 1).padStart(2, "0")}`);

/** The person who set the demo vault up (dev/demo/seed.ts seeds as them): kept an Administrator. */
const PLATFORM_ENGINEER: DevIdentity = { name: "platform-engineer", upn: "platform-engineer@kvguard.local" };
export const DEMO_IDENTITIES = {
  ordersApi: { name: "demo-orders-api" },
  billingWorker: { name: "demo-billing-worker" },
  operator: { name: "demo-operator", upn: "demo-operator@kvguard.local" },
} satisfies Record<string, DevIdentity>;

/** The attackers of one run, named by the vault's date so each run's are new to the baselines. */
export function attackers(runId: string): { intruder: DevIdentity; prober: DevIdentity } {
  return { intruder: { name: `demo-build-agent-${runId}` }, prober: { name: `demo-scanner-${runId}` } };
}

/**
 * Settings the local stack needs for the demo's findings: the auditScan function reads the local Key
 * Vault's audit folder, kvguard's own rotations are not findings, and a short baseline window keeps the
 * warm-up (and the clock jump it makes) small.
 * @param auditDir - the local Key Vault's audit folder (`<state>/audit`)
 */
export function attackDemoSettings(auditDir: string, localIdentity = DEFAULT_LOCAL_IDENTITY): Record<string, string> {
  return {
    KVGUARD_AUDIT_FOLDER: auditDir,
    KVGUARD_AUDIT_SELF_IDS: devClaims({ name: localIdentity }).oid!,
    KVGUARD_AUDIT_BASELINE_DAYS: "3",
  };
}

export interface AttackDemoStack {
  /** The local Key Vault (its clock moves through the warm-up). */
  kv: LocalKeyVault;
  /** The demo vault's name. */
  vault: string;
  /** kvguard on the stack's settings (`KVGUARD_AUDIT_FOLDER` must name the audit folder); the process's app while the demo runs. */
  app: App;
  write: LineWriter;
}

export interface AttackDemoReport {
  runId: string;
  warmupDays: number;
  /** Findings the scan stored about this run's attack day. */
  findings: Finding[];
}

function clientsFor(stack: AttackDemoStack, identity: DevIdentity): VaultClients {
  return createVaultClients({
    vaultUrl: stack.kv.urls[stack.vault]!,
    credential: new DevTokenCredential(identity),
    ca: stack.kv.tls.caPem,
    retryOptions: { maxRetries: 0 },
  });
}

/** Gives the demo's identities their roles, keeping every assignment the vault already has. */
function grantRoles(stack: AttackDemoStack, intruder: DevIdentity, localIdentity: string): void {
  const vault = stack.kv.vaults.get(stack.vault.toLowerCase());
  if (!vault) throw new Error(`the local Key Vault serves no vault "${stack.vault}"`);
  const wanted = [
    // A vault without assignments admits everyone; once it has some, kvguard and the seeding operator need theirs.
    { identity: { name: localIdentity }, role: "Key Vault Administrator" },
    { identity: PLATFORM_ENGINEER, role: "Key Vault Administrator" },
    { identity: DEMO_IDENTITIES.operator, role: "Key Vault Administrator" },
    { identity: DEMO_IDENTITIES.ordersApi, role: "Key Vault Secrets User" },
    { identity: DEMO_IDENTITIES.billingWorker, role: "Key Vault Secrets User" },
    // The build agent may read secrets: its credential is what the attacker stole.
    { identity: intruder, role: "Key Vault Secrets User" },
  ] as const;
  const assignments = [...vault.roleAssignments];
  for (const { identity, role } of wanted) {
    const principalId = devClaims(identity).oid!;
    if (!assignments.some((a) => a.principalId === principalId && a.role === role)) assignments.push({ principalId, role });
  }
  stack.kv.setRoleAssignments(vault, assignments);
}

/** Creates the secrets the demo reads when they are missing (values random, never printed). */
async function ensureSecrets(operator: VaultClients, names: readonly string[]): Promise<void> {
  const existing = new Set<string>();
  for await (const p of operator.secrets.listPropertiesOfSecrets()) existing.add(p.name);
  for (const name of names) if (!existing.has(name)) await operator.secrets.setSecret(name, randomBytes(24).toString("base64url"));
}

/** Reads a secret, ignoring the answer (an expired or disabled demo secret is still a read). */
async function read(clients: VaultClients, name: string): Promise<void> {
  await clients.secrets.getSecret(name).catch((error: unknown) => {
    if (statusOf(error) === undefined) throw error;
  });
}

/** One ordinary day: apps read their secrets, the operator (weekdays) lists the vault and reads one. */
async function ordinaryDay(orders: VaultClients, billing: VaultClients, operator: VaultClients, weekday: boolean): Promise<void> {
  for (let round = 0; round < 3; round++) {
    await read(orders, "api-token");
    await read(orders, "payments-db-password");
  }
  await read(billing, "third-party-api-key");
  await read(billing, "third-party-api-key");
  if (weekday) {
    for await (const p of operator.secrets.listPropertiesOfSecrets()) void p;
    await read(operator, "api-token");
  }
}

/**
 * Plays the demo: warm-up days, the attack, then the `auditScan` function; returns what it found.
 * Call it once the stack is up; it takes a few seconds and moves the vault's clock by the warm-up days.
 * @param stack - the local Key Vault, the demo vault's name, the stack's settings, where to print
 */
export async function start(stack: AttackDemoStack): Promise<AttackDemoReport> {
  const { audit } = await stack.app.config();
  if (!audit.folder) throw new Error("the audit demo needs KVGUARD_AUDIT_FOLDER set to the local Key Vault's audit folder (attackDemoSettings() gives it)");
  const localIdentity = stack.app.env.KVGUARD_LOCAL_IDENTITY ?? DEFAULT_LOCAL_IDENTITY;
  const say = (line: string) => stack.write(`${new Date().toISOString().slice(11, 19)} [audit demo] ${line}`);

  const warmupDays = audit.baselineDays + 1;
  const runId = new Date(stack.kv.clock.nowMs() + warmupDays * DAY_SECONDS * 1000).toISOString().slice(0, 10).replaceAll("-", "");
  const { intruder, prober } = attackers(runId);
  const retired = `demo-retired-${runId}`;
  grantRoles(stack, intruder, localIdentity);
  const orders = clientsFor(stack, DEMO_IDENTITIES.ordersApi);
  const billing = clientsFor(stack, DEMO_IDENTITIES.billingWorker);
  const operator = clientsFor(stack, DEMO_IDENTITIES.operator);
  await ensureSecrets(operator, [...APP_SECRETS, ...SETTINGS, retired]);

  say(`warm-up: ${warmupDays} days of ordinary traffic (two apps, an operator), the vault's clock moving a day at a time`);
  for (let day = 0; day < warmupDays; day++) {
    const weekday = ![0, 6].includes(new Date(stack.kv.clock.nowMs()).getUTCDay());
    await ordinaryDay(orders, billing, operator, weekday);
    stack.kv.clock.advance(DAY_SECONDS);
  }
  const attackDayMs = stack.kv.clock.nowMs();
  await ordinaryDay(orders, billing, operator, true);

  say(`attack: ${intruder.name} lists the vault and reads every secret`);
  const stolen = clientsFor(stack, intruder);
  const names: string[] = [];
  for await (const p of stolen.secrets.listPropertiesOfSecrets()) names.push(p.name);
  for (const name of names) await read(stolen, name);
  say(`attack: ${prober.name} (no role) probes secrets and is denied`);
  const probe = clientsFor(stack, prober);
  for (let i = 0; i < 12; i++) await read(probe, APP_SECRETS[i % APP_SECRETS.length]!);
  say(`attack: ${DEMO_IDENTITIES.operator.upn} deletes and purges ${retired}`);
  await (await operator.secrets.beginDeleteSecret(retired, { intervalInMs: 50 })).pollUntilDone();
  await operator.secrets.purgeDeletedSecret(retired);

  // The audit writer appends through buffered streams: flush them (the next request reopens its file) so the
  // scan reads every record, however busy the machine.
  await stack.kv.audit.close();
  const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
  const context = createContext({ functionName: "auditScan", trigger: { type: "timerTrigger", name: "timer", schedule: audit.schedule }, write: stack.write });
  await auditScanHandler(timer, context);

  const store = new TableFindingStore((await stack.app.storage()).table(FINDINGS_TABLE));
  const attackDay = new Date(attackDayMs).toISOString().slice(0, 10);
  const findings = (await store.list()).filter((f) => f.end.slice(0, 10) >= attackDay);
  // Summaries name apps by their ids; the demo knows its identities' names.
  const labels = new Map<string, string>();
  for (const identity of [...Object.values(DEMO_IDENTITIES), intruder, prober]) {
    const claims = devClaims(identity);
    for (const id of [claims.oid, claims.appid]) if (id) labels.set(id, identity.name);
  }
  const named = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => labels.get(id) ?? id);
  for (const f of findings) say(`finding: ${f.severity.padEnd(6)} ${f.detector}: ${named(f.summary)}`);
  say(`${findings.length} findings; alerts about them go where KVGUARD_ALERT_RULES routes them`);
  return { runId, warmupDays, findings };
}
