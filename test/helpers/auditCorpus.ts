/**
 * @module A seeded corpus of Key Vault audit traffic (AuditEvent archive records): several vaults and
 * identities over several weeks with daily and weekly rhythms (apps around the clock with a daytime
 * peak, people on weekdays in office hours, a nightly batch job, Azure's scanners, kvguard's rotations,
 * challenges), plus labelled attack scenarios injected in the last week, one or more per detector.
 */
import { createHash } from "node:crypto";

export const CORPUS_START_MS = Date.UTC(2026, 0, 5); // a Monday
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SUBSCRIPTION = "0A1B2C3D-0000-4000-8000-00000000CAFE";

export interface Label {
  scenario: string;
  detector: string;
  vault: string;
  /** A principal id the finding must name (oid, appid or upn), when the scenario has one. */
  principal?: string;
  fromMs: number;
  toMs: number;
}

export interface Corpus {
  records: Record<string, unknown>[];
  labels: Label[];
  vaults: string[];
  /** What the engine needs to see the scenarios: threat intel, allowed networks, canaries, kvguard's ids. */
  threatIntel: string;
  allowedNetworks: string;
  canaries: string[];
  selfIds: string[];
}

export interface CorpusOptions {
  seed?: number;
  days?: number;
  /** Inject the labelled scenarios (in the last 7 days). */
  scenarios?: boolean;
}

export interface Actor {
  name: string;
  oid: string;
  appid?: string;
  upn?: string;
  ip: string;
  client: string;
}

export function guid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function app(name: string, ip: string, client = "azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/1.24.0 Node/20.19.0"): Actor {
  return { name, oid: guid(`oid:${name}`), appid: guid(`appid:${name}`), ip, client };
}

export function user(name: string, ip: string, client = "azsdk-python-keyvault-secrets/4.9.0 Python/3.12.1"): Actor {
  return { name, oid: guid(`oid:${name}`), appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", upn: `${name}@contoso.example`, ip, client };
}

export const ACTORS = {
  paymentsApi: app("payments-api", "10.1.1.10"),
  ordersApi: app("orders-api", "10.1.2.10"),
  hrApi: app("hr-api", "10.1.4.10"),
  batchJob: app("batch-job", "10.1.3.20"),
  legacyWorker: app("legacy-worker", "10.1.1.40"),
  alice: user("alice", "203.0.113.21"),
  bob: user("bob", "203.0.113.57"),
  kvguard: app("kvguard", "10.1.9.9", "kvguard/0.1.0 azsdk-js-keyvault-secrets/4.11.2"),
  resourceGraph: { ...app("arg", "20.40.1.1", "AzureResourceGraph.IngestionWorkerService.global/1.24.1.672"), appid: "509e4652-da8d-478d-a730-e9d4a1996ca4" },
  stranger: app("stranger-app", "10.1.7.77"),
  eve: app("eve-app", "10.1.8.8"),
  scanner: app("scanner-app", "10.1.6.66"),
  pipeline: app("deploy-pipeline", "10.1.5.5"),
  torUser: user("mallory", "185.220.101.5", "python-requests/2.31.0"),
};

const SECRETS: Record<string, string[]> = {
  payments: ["db-password", "stripe-key", "signing-salt"],
  orders: ["db-password", "queue-conn", "api-key", "cache-pass"],
  shared: ["smtp-pass", "sftp-key", "ldap-bind", "report-token", "backup-pass"],
  hr: ["db-password", "payroll-token"],
  infra: ["api-token", "tls-pass"],
};
export const CORPUS_VAULTS = Object.keys(SECRETS);

export interface EventInput {
  t: number;
  vault: string;
  op: string;
  actor: Actor;
  status?: number;
  secret?: string;
  key?: string;
  version?: string;
  ip?: string;
  client?: string;
  properties?: Record<string, unknown>;
}

/**
 * One event as the diagnostic settings archive writes it (fields, casing and string-typed numbers included).
 * @param e - what happened
 * @param how - its correlation id, duration and the object version the id names (a versionless request
 *   URI unless `e.version` pinned one)
 */
export function archiveEvent(e: EventInput, how: { correlationId: string; durationMs: number; version?: string | undefined }): Record<string, unknown> {
  const status = e.status ?? 200;
  const host = `https://${e.vault}.vault.azure.net`;
  const object = e.secret ? `secrets/${e.secret}` : e.key ? `keys/${e.key}` : undefined;
  const version = how.version;
  const claims: Record<string, string> = { oid: e.actor.oid, tid: "72f988bf-0000-4000-8000-000000000001" };
  if (e.actor.appid) claims.appid = e.actor.appid;
  if (e.actor.upn) claims.upn = e.actor.upn;
  claims.idtyp = e.actor.upn ? "user" : "app";
  const challenge = e.op === "Authentication";
  return {
    time: new Date(e.t).toISOString().replace("Z", "0000Z"),
    category: "AuditEvent",
    operationName: e.op,
    resultType: "Success",
    correlationId: challenge ? "00000000-0000-0000-0000-000000000000" : how.correlationId,
    callerIpAddress: e.ip ?? e.actor.ip,
    identity: challenge ? {} : { claim: claims },
    properties: {
      ...(object && !challenge ? { id: `${host}/${object}${version ? `/${version}` : ""}` } : e.op.startsWith("Vault") ? { id: `${host}/` } : {}),
      clientInfo: e.client ?? e.actor.client,
      httpStatusCode: challenge ? 401 : status,
      requestUri: `${host}/${object ?? (e.op.includes("List") ? "secrets" : "")}${e.version ? `/${e.version}` : object ? "/" : ""}?api-version=7.4`,
      isRbacAuthorized: status < 300,
      tlsVersion: "TLS1_2",
      ...e.properties,
    },
    resourceId: `/SUBSCRIPTIONS/${SUBSCRIPTION}/RESOURCEGROUPS/APPS-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/${e.vault.toUpperCase()}`,
    operationVersion: "7.4",
    resultSignature: status === 200 ? "OK" : status === 403 ? "Forbidden" : status === 401 ? "Unauthorized" : String(status),
    durationMs: String(how.durationMs),
  };
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCorpus(options: CorpusOptions = {}): Corpus {
  const random = rng(options.seed ?? 42);
  const days = options.days ?? 21;
  const records: Record<string, unknown>[] = [];
  const labels: Label[] = [];
  const versions = new Map<string, string[]>();
  let serial = 0;
  const gap = { vault: "hr", from: CORPUS_START_MS + (days - 3) * DAY + 2 * HOUR, to: CORPUS_START_MS + (days - 3) * DAY + 22 * HOUR };

  const versionOf = (vault: string, secret: string): string => {
    const key = `${vault}/${secret}`;
    let list = versions.get(key);
    if (!list) versions.set(key, (list = [createHash("md5").update(`${key}:0`).digest("hex")]));
    return list[list.length - 1]!;
  };
  const newVersion = (vault: string, secret: string): string => {
    versionOf(vault, secret);
    const list = versions.get(`${vault}/${secret}`)!;
    const v = createHash("md5").update(`${vault}/${secret}:${list.length}`).digest("hex");
    list.push(v);
    return v;
  };

  const emit = (e: EventInput): void => {
    // The silenced vault writes nothing at all during its gap (logging off), whoever calls.
    if (options.scenarios && e.vault === gap.vault && e.t >= gap.from && e.t < gap.to) return;
    const version = e.version ?? (e.secret && (e.status ?? 200) < 300 ? versionOf(e.vault, e.secret) : undefined);
    records.push(archiveEvent(e, { correlationId: guid(`c${serial++}`), durationMs: 5 + Math.floor(random() * 40), version }));
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const within = (start: number, span: number) => start + Math.floor(random() * span);

  for (let d = 0; d < days; d++) {
    const day = CORPUS_START_MS + d * DAY;
    const weekday = new Date(day).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    for (let h = 0; h < 24; h++) {
      const hour = day + h * HOUR;
      // Apps: around the clock, busier by day, quieter at weekends.
      const rhythm = (0.6 + 0.4 * Math.sin(((h - 6) / 24) * 2 * Math.PI)) * (weekend ? 0.6 : 1);
      for (const [actor, vault, base] of [
        [ACTORS.paymentsApi, "payments", 8],
        [ACTORS.ordersApi, "orders", 6],
        [ACTORS.hrApi, "hr", 4],
      ] as const) {
        if (h === 0) emit({ t: hour + 1000, vault, op: "Authentication", actor });
        const n = Math.max(1, Math.round(base * rhythm * (0.8 + random() * 0.4)));
        for (let i = 0; i < n; i++) emit({ t: within(hour, HOUR), vault, op: "SecretGet", actor, secret: pick(SECRETS[vault]!) });
      }
      // The legacy worker reads a pinned version of the payments database password twice an hour.
      for (let i = 0; i < 2; i++) {
        emit({
          t: within(hour, HOUR),
          vault: "payments",
          op: "SecretGet",
          actor: ACTORS.legacyWorker,
          secret: "db-password",
          version: versions.get("payments/db-password")?.[0] ?? versionOf("payments", "db-password"),
        });
      }
      // Nightly batch: secrets, then decryption with a key.
      if (h === 2) {
        for (const secret of SECRETS.shared!) emit({ t: within(hour, 600_000), vault: "shared", op: "SecretGet", actor: ACTORS.batchJob, secret });
        const n = 40 + Math.floor(random() * 25);
        for (let i = 0; i < n; i++)
          emit({
            t: within(hour + 600_000, 40 * 60_000),
            vault: "shared",
            op: "KeyDecrypt",
            actor: ACTORS.batchJob,
            key: "report-kek",
            client: "azsdk-js-keyvault-keys/4.10.2",
          });
      }
      // Azure Resource Graph reads every vault's properties every six hours.
      if (h % 6 === 3) {
        for (const vault of CORPUS_VAULTS) {
          emit({
            t: within(hour, HOUR),
            vault,
            op: "VaultGet",
            actor: ACTORS.resourceGraph,
            properties: {
              properties: { enableSoftDelete: true, enablePurgeProtection: true, softDeleteRetentionInDays: 90, networkAcls: { defaultAction: "Deny" } },
            },
          });
        }
      }
      // People: weekdays, office hours.
      if (!weekend && h >= 9 && h < 17) {
        if (random() < 0.9) {
          const t = within(hour, HOUR);
          emit({ t, vault: "orders", op: "SecretGet", actor: ACTORS.bob, secret: pick(SECRETS.orders!) });
          emit({ t: t + 30_000, vault: "orders", op: "SecretGet", actor: ACTORS.bob, secret: pick(SECRETS.orders!) });
        }
        if (h === 10) {
          const t = within(hour, HOUR / 2);
          emit({ t, vault: "shared", op: "SecretList", actor: ACTORS.alice });
          for (let i = 0; i < 3; i++) emit({ t: t + 60_000 * (i + 1), vault: "shared", op: "SecretGet", actor: ACTORS.alice, secret: pick(SECRETS.shared!) });
          if (weekday === 1)
            emit({
              t: t + 600_000,
              vault: "shared",
              op: "SecretSet",
              actor: ACTORS.alice,
              secret: "report-token",
              version: newVersion("shared", "report-token"),
            });
        }
      }
    }
    // kvguard rotates the infra API token every Wednesday (benign: its own identity).
    if (weekday === 3)
      emit({ t: day + 4 * HOUR, vault: "infra", op: "SecretSet", actor: ACTORS.kvguard, secret: "api-token", version: newVersion("infra", "api-token") });
  }

  if (options.scenarios) injectScenarios();
  records.sort((a, b) => ((a.time as string) < (b.time as string) ? -1 : (a.time as string) > (b.time as string) ? 1 : 0));
  return {
    records,
    labels,
    vaults: CORPUS_VAULTS,
    threatIntel: "# TOR exits and known bad ranges\n185.220.101.0/24\n198.18.0.1 # a single address\n",
    allowedNetworks: "10.0.0.0/8,203.0.113.0/24,20.40.0.0/16",
    canaries: ["shared/canary-db-admin"],
    selfIds: [ACTORS.kvguard.oid],
  };

  function injectScenarios(): void {
    // Each scenario on its own day hour in the last week, away from the others.
    const at = (dayIndex: number, hour: number, minute = 0) => CORPUS_START_MS + dayIndex * DAY + hour * HOUR + minute * 60_000;
    const label = (scenario: string, detector: string, vault: string, fromMs: number, toMs: number, actor?: Actor) =>
      labels.push({ scenario, detector, vault, fromMs, toMs, ...(actor ? { principal: actor.oid } : {}) });
    const w = days - 7; // first day of the last week (a Monday when days = 21)

    let t = at(w, 11);
    emit({ t, vault: "shared", op: "SecretPurge", actor: ACTORS.alice, secret: "old-ftp" });
    label("purge", "impact_destructive_operation", "shared", t, t, ACTORS.alice);

    t = at(w, 11, 30);
    emit({ t, vault: "shared", op: "SecretRecover", actor: ACTORS.alice, secret: "sftp-key" });
    label("recover", "impact_recover_restore", "shared", t, t, ACTORS.alice);

    t = at(w, 14);
    for (let i = 0; i < 30; i++) emit({ t: t + i * 15_000, vault: "orders", op: "SecretGet", actor: ACTORS.ordersApi, secret: `customer-${i}` });
    label("mass retrieval", "credential_access_mass_retrieval", "orders", t, t + 30 * 15_000, ACTORS.ordersApi);

    t = at(w + 1, 0);
    for (let i = 0; i < 1500; i++) emit({ t: t + i * 50_000, vault: "payments", op: "SecretGet", actor: ACTORS.paymentsApi, secret: pick(SECRETS.payments!) });
    label("volume spike", "credential_access_volume_spike", "payments", t, t + DAY, ACTORS.paymentsApi);

    t = at(w + 1, 15);
    emit({ t, vault: "orders", op: "SecretList", actor: ACTORS.bob });
    for (let i = 0; i < 6; i++)
      emit({ t: t + (i + 1) * 20_000, vault: "orders", op: "SecretGet", actor: ACTORS.bob, secret: i < 4 ? SECRETS.orders![i]! : `hidden-${i}` });
    label("list then get", "credential_access_list_then_get", "orders", t, t + 7 * 20_000, ACTORS.bob);

    t = at(w + 2, 10, 40);
    emit({
      t,
      vault: "payments",
      op: "VaultPatch",
      actor: ACTORS.alice,
      properties: { addedAccessPolicy: { ObjectId: ACTORS.eve.oid, PermissionsToSecrets: "get,list" } },
    });
    emit({ t: t + 5 * 60_000, vault: "payments", op: "SecretGet", actor: ACTORS.eve, secret: "stripe-key" });
    label("policy change then read", "privilege_escalation_policy_change_then_read", "payments", t, t + 5 * 60_000, ACTORS.eve);

    t = at(w + 2, 13);
    emit({ t, vault: "hr", op: "VaultPatch", actor: ACTORS.alice, properties: { addedAccessPolicy: { ObjectId: guid("temp") } } });
    emit({ t: t + 4 * 60_000, vault: "hr", op: "VaultPatch", actor: ACTORS.alice, properties: { removedAccessPolicy: { ObjectId: guid("temp") } } });
    label("transient grant", "persistence_transient_grant", "hr", t, t + 4 * 60_000);

    t = at(w + 2, 16);
    emit({ t, vault: "payments", op: "SecretGet", actor: ACTORS.stranger, secret: "signing-salt" });
    label("first-seen principal", "initial_access_first_seen_principal", "payments", t, t, ACTORS.stranger);

    t = at(w + 3, 11);
    CORPUS_VAULTS.forEach((vault, i) => emit({ t: t + i * 60_000, vault, op: "VaultGet", actor: ACTORS.bob }));
    label("fan-out", "discovery_vault_fan_out", "*", t, t + 5 * 60_000, ACTORS.bob);

    t = at(w + 3, 12);
    for (let i = 0; i < 15; i++)
      emit({ t: t + i * 20_000, vault: "orders", op: "SecretGet", actor: ACTORS.scanner, secret: pick(SECRETS.orders!), status: 403 });
    label("denied burst", "discovery_denied_access", "orders", t, t + 15 * 20_000, ACTORS.scanner);

    t = at(w + 3, 13);
    emit({ t, vault: "payments", op: "SecretGet", actor: ACTORS.torUser, secret: "stripe-key", status: 403 });
    label("threat-intel address", "credential_access_threat_intel_ip", "payments", t, t, ACTORS.torUser);
    label("attack tool", "execution_attack_tool", "payments", t, t, ACTORS.torUser);

    t = at(w + 3, 15);
    emit({ t, vault: "payments", op: "SecretGet", actor: ACTORS.paymentsApi, secret: "stripe-key", ip: "10.77.3.4" });
    label("unusual network", "initial_access_unusual_network", "payments", t, t, ACTORS.paymentsApi);

    t = at(w + 3, 16);
    emit({ t, vault: "orders", op: "SecretListVersions", actor: ACTORS.ordersApi, secret: "db-password" });
    label("unusual operation", "discovery_unusual_operation", "orders", t, t, ACTORS.ordersApi);

    t = at(w + 3, 16, 30);
    emit({ t, vault: "orders", op: "SecretGet", actor: ACTORS.bob, secret: "api-key", client: "python-requests/2.31.0" });
    label("unusual client", "execution_unusual_client", "orders", t, t, ACTORS.bob);

    t = at(w + 4, 9, 5);
    emit({
      t,
      vault: "shared",
      op: "VaultPatch",
      actor: ACTORS.alice,
      properties: { properties: { networkAcls: { defaultAction: "Allow" }, enablePurgeProtection: true } },
    });
    label("network opened", "defense_evasion_hardening_weakened", "shared", t, t, ACTORS.alice);

    t = at(w + 4, 11);
    emit({ t, vault: "infra", op: "KeyImport", actor: ACTORS.alice, key: "byok-root", client: "azsdk-js-keyvault-keys/4.10.2" });
    label("key import", "impact_key_material", "infra", t, t, ACTORS.alice);

    t = at(w + 4, 2, 15);
    for (let i = 0; i < 400; i++)
      emit({ t: t + i * 5_000, vault: "shared", op: "KeyDecrypt", actor: ACTORS.batchJob, key: "report-kek", client: "azsdk-js-keyvault-keys/4.10.2" });
    label("mass decryption", "impact_crypto_volume", "shared", t, t + 400 * 5_000, ACTORS.batchJob);

    t = at(w + 4, 14);
    emit({ t, vault: "shared", op: "SecretGet", actor: ACTORS.bob, secret: "canary-db-admin", status: 403 });
    label("canary", "collection_canary_secret", "shared", t, t, ACTORS.bob);

    label("audit gap", "defense_evasion_audit_gap", gap.vault, gap.from, gap.to);

    t = at(w + 5, 3); // Saturday 03:00
    emit({ t, vault: "orders", op: "SecretGet", actor: ACTORS.bob, secret: "db-password" });
    label("off-hours", "initial_access_off_hours", "orders", t, t, ACTORS.bob);

    t = at(w + 5, 12);
    for (let i = 0; i < 8; i++)
      emit({ t: t + i * 120_000, vault: "orders", op: "SecretSet", actor: ACTORS.pipeline, secret: "api-key", version: newVersion("orders", "api-key") });
    label("version churn", "impact_secret_churn", "orders", t, t + 8 * 120_000, ACTORS.pipeline);

    // kvguard rotates the payments database password two days before the end; the legacy worker
    // keeps reading its pinned version.
    t = at(days - 2, 1);
    emit({ t, vault: "payments", op: "SecretSet", actor: ACTORS.kvguard, secret: "db-password", version: newVersion("payments", "db-password") });
    label("stale version", "credential_access_stale_version_read", "payments", t + DAY, t + 2 * DAY, ACTORS.legacyWorker);
    // Only kvguard ever reads the infra API token: no consumer used it in the corpus (tests judge it over 10 days).
    label("unused secret", "persistence_unused_secret", "infra", at(days - 1, 0), at(days, 0));

    // Low and slow: the orders API reads two secrets a day it never read, for four days.
    const slow = at(w + 1, 8);
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 2; i++)
        emit({ t: slow + k * DAY + i * 3 * HOUR, vault: "orders", op: "SecretGet", actor: ACTORS.ordersApi, secret: `ledger-export-${k}${i}` });
    }
    label("low and slow", "credential_access_new_object_creep", "orders", slow, slow + 3 * DAY + 3 * HOUR, ACTORS.ordersApi);

    t = at(w + 6, 12);
    emit({ t, vault: "hr", op: "SecretGet", actor: ACTORS.hrApi, secret: "payroll-token", ip: "192.0.2.50" });
    label("outside allowed networks", "initial_access_outside_allowed_networks", "hr", t, t, ACTORS.hrApi);
  }
}
