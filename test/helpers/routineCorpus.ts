/**
 * @module A harder, labelled corpus of Key Vault audit traffic, built the way a security team would build a
 * test: four vaults over four weeks (two of warm-up, two evaluated) full of routine work that looks
 * alarming on its face (nightly backup rotation and PR-environment cleanup deleting and purging what they
 * created, weekly deploys, a weekly scanner sweeping every vault, kvguard's own secret and key rotations,
 * apps unwrapping with older key versions, a nightly job that creates, disables and purges test keys, an onboarding, throttling bursts, a user's time-zone shift, late
 * and duplicate records), and evasive attacks of each class hidden inside it. Seeds move every scenario's
 * day, hour and target, so thresholds cannot be tuned to one draw.
 */
import { createHash } from "node:crypto";
import { app, archiveEvent, CORPUS_START_MS, guid, rng, user, type Actor, type EventInput } from "./auditCorpus.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const ROUTINE_WARMUP_DAYS = 14;

export interface ScenarioLabel {
  scenario: string;
  /** The class of weakness it probes (issue 18). */
  kind: "routine-hidden" | "audit-gap" | "onboarding" | "stale-version" | "low-and-slow";
  detector: string;
  vault: string;
  principal?: string;
  fromMs: number;
  toMs: number;
  /** The finding must be at least this severe (an attack that must not be weighed down as routine). */
  minSeverity?: "low" | "medium" | "high";
  /** Correlation ids of the anomalous records: the finding's evidence must begin with one of them. */
  leadsWith?: string[];
}

export interface RoutineCorpus {
  /** In delivery order: mostly time order, with late and duplicate records as a pipeline delivers them. */
  records: Record<string, unknown>[];
  labels: ScenarioLabel[];
  vaults: string[];
  /** Reported period: from the end of the warm-up to the end. */
  evalFromMs: number;
  evalToMs: number;
  selfIds: string[];
}

export interface RoutineCorpusOptions {
  seed?: number;
  /** Inject the attacks (routine work and the onboarding are always there). */
  attacks?: boolean;
}

const A = {
  paymentsApi: app("rc-payments-api", "10.2.1.10"),
  ordersApi: app("rc-orders-api", "10.2.2.10"),
  gateway: app("rc-gateway", "10.2.3.10"),
  tokenService: app("rc-token-service", "10.2.3.20", "azsdk-js-keyvault-keys/4.10.2"),
  etlWorker: app("rc-etl-worker", "10.2.4.10"),
  docsApi: app("rc-docs-api", "10.2.4.20", "azsdk-js-keyvault-keys/4.10.2"),
  backupJob: app("rc-backup-job", "10.2.9.10"),
  ciPipeline: app("rc-ci-pipeline", "10.2.8.10"),
  keyJob: app("rc-test-keys-job", "10.2.8.30", "azsdk-js-keyvault-keys/4.10.2"),
  deployPipeline: app("rc-deploy-pipeline", "10.2.8.20"),
  scanner: app("rc-secret-scanner", "10.2.7.10", "secscan/3.2 azsdk-python-keyvault-secrets/4.9.0"),
  kvguard: app("rc-kvguard", "10.2.9.9", "kvguard/0.1.0 azsdk-js-keyvault-secrets/4.11.2"),
  invoiceApi: app("rc-invoice-api", "10.2.1.30"),
  intruder: app("rc-reporting-sync", "10.2.6.66"),
  alice: user("rc-alice", "203.0.113.40"),
  bob: user("rc-bob", "203.0.113.41"),
  resourceGraph: {
    ...app("rc-arg", "20.40.1.1", "AzureResourceGraph.IngestionWorkerService.global/1.24.1.672"),
    appid: "509e4652-da8d-478d-a730-e9d4a1996ca4",
  },
} satisfies Record<string, Actor>;

const PARTNERS = [
  "acme",
  "globex",
  "initech",
  "umbrella",
  "hooli",
  "stark",
  "wayne",
  "wonka",
  "tyrell",
  "cyberdyne",
  "soylent",
  "oscorp",
  "aperture",
  "gringotts",
];
const SECRETS: Record<string, string[]> = {
  payments: ["db-password", "stripe-key", "signing-salt", "fx-token"],
  orders: ["db-password", "queue-conn", "api-key", "cache-pass"],
  platform: ["tls-pass", "session-key", "oauth-client"],
  data: ["warehouse-pass", "lake-sas", "etl-token", ...PARTNERS.map((p) => `partner-${p}-key`)],
};
const VAULTS = Object.keys(SECRETS);
const APP_READS: [Actor, string, string[], number][] = [
  [A.paymentsApi, "payments", SECRETS.payments!, 30],
  [A.ordersApi, "orders", SECRETS.orders!, 24],
  [A.gateway, "platform", SECRETS.platform!, 20],
  [A.etlWorker, "data", SECRETS.data!.slice(0, 3), 12],
];

function ymd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}

export function generateRoutineCorpus(options: RoutineCorpusOptions = {}): RoutineCorpus {
  const seed = options.seed ?? 1;
  const random = rng(seed * 7919 + 17);
  // The key job draws from its own stream, so adding it moved no other scenario's draws.
  const keyRandom = rng(seed * 104_729 + 5);
  const days = 28;
  const events: { e: EventInput; version: string | undefined; cid: string }[] = [];
  const labels: ScenarioLabel[] = [];
  const versions = new Map<string, string[]>();
  const born = new Map<string, number>();
  let serial = 0;
  const silences: { vault: string; from: number; to: number }[] = [];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

  const current = (objectKey: string): string => {
    let list = versions.get(objectKey);
    if (!list) versions.set(objectKey, (list = [createHash("md5").update(`${seed}:${objectKey}:0`).digest("hex")]));
    return list[list.length - 1]!;
  };
  const newVersion = (objectKey: string): string => {
    current(objectKey);
    const list = versions.get(objectKey)!;
    const v = createHash("md5").update(`${seed}:${objectKey}:${list.length}`).digest("hex");
    list.push(v);
    return v;
  };
  /** Records the event; returns its correlation id. */
  const emit = (e: EventInput): string => {
    const cid = guid(`rc${seed}:${serial++}`);
    if (silences.some((s) => s.vault === e.vault && e.t >= s.from && e.t < s.to)) return cid;
    const objectKey = e.secret ? `${e.vault}/secrets/${e.secret}` : e.key ? `${e.vault}/keys/${e.key}` : undefined;
    const version = e.version ?? (objectKey && (e.status ?? 200) < 300 && !e.op.endsWith("Delete") && !e.op.endsWith("Purge") ? current(objectKey) : undefined);
    if (e.version && (e.op === "SecretSet" || e.op === "KeyRotate")) born.set(e.version, e.t);
    events.push({ e, version, cid });
    return cid;
  };
  /** The version that was current just before the last one created before `t`. */
  const supersededBefore = (objectKey: string, t: number): string => {
    const list = versions.get(objectKey)!.filter((v) => (born.get(v) ?? 0) < t);
    return list[list.length - 2] ?? list[0]!;
  };
  const at = (d: number, h: number, m = 0) => CORPUS_START_MS + d * DAY + h * HOUR + m * MINUTE;
  const evalDays = Array.from({ length: days - ROUTINE_WARMUP_DAYS }, (_, i) => ROUTINE_WARMUP_DAYS + i);

  // Attack plan first (each seed draws its own), so routine generation can leave room for it.
  const plan = options.attacks ? planAttacks() : undefined;
  if (plan) silences.push(plan.gap);
  const onboardDay = pick(evalDays.filter((d) => isWeekday(d)));
  const travelDays = new Set(((start) => [start, start + 1, start + 2])(pick([15, 16, 22, 23])));
  const throttleDays = new Set([between(2, 12), between(15, 26)]);

  for (let d = 0; d < days; d++) {
    const weekday = new Date(at(d, 0)).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    for (let h = 0; h < 24; h++) {
      const hour = at(d, h);
      const rhythm = (0.6 + 0.4 * Math.sin(((h - 6) / 24) * 2 * Math.PI)) * (weekend ? 0.6 : 1);
      for (const [actor, vault, secrets, base] of APP_READS) {
        emit({ t: hour + between(0, 120) * 1000, vault, op: "Authentication", actor });
        const n = Math.max(2, Math.round(base * rhythm * (0.8 + random() * 0.4)));
        for (let i = 0; i < n; i++) emit({ t: hour + between(0, HOUR - 1), vault, op: "SecretGet", actor, secret: pick(secrets) });
      }
      // The signing service signs with the current key version; the docs API unwraps document keys wrapped
      // under whichever version was current when each document was written.
      for (let i = 0, n = Math.round(10 * rhythm); i < n; i++)
        emit({ t: hour + between(0, HOUR - 1), vault: "platform", op: "KeySign", actor: A.tokenService, key: "jwt-signing" });
      for (let i = 0, n = Math.round(8 * rhythm); i < n; i++) {
        const list = versions.get("data/keys/docs-kek") ?? [current("data/keys/docs-kek")];
        const version = random() < 0.6 ? list[list.length - 1]! : pick(list);
        emit({ t: hour + between(0, HOUR - 1), vault: "data", op: random() < 0.8 ? "KeyUnwrap" : "KeyDecrypt", actor: A.docsApi, key: "docs-kek", version });
      }
      if (throttleDays.has(d) && h === 11) {
        // A throttling burst: the orders API is answered 429 for two minutes and retries.
        for (let i = 0; i < 60; i++)
          emit({ t: hour + 20 * MINUTE + i * 2000, vault: "orders", op: "SecretGet", actor: A.ordersApi, secret: pick(SECRETS.orders!), status: 429 });
      }
      if (h % 6 === 3) for (const vault of VAULTS) emit({ t: hour + between(0, HOUR - 1), vault, op: "VaultGet", actor: A.resourceGraph });
      // People: the admin on weekdays, the developer in office hours (three days of it from another time zone).
      const bobHours = travelDays.has(d) ? [1, 9] : [9, 17];
      if (!weekend && h >= bobHours[0]! && h < bobHours[1]! && random() < 0.8) {
        const t = hour + between(0, 50) * MINUTE;
        emit({ t, vault: "orders", op: "SecretGet", actor: A.bob, secret: pick(SECRETS.orders!) });
        emit({ t: t + 40_000, vault: "orders", op: "SecretGet", actor: A.bob, secret: pick(SECRETS.orders!) });
      }
      if (!weekend && h >= 9 && h < 17 && random() < 0.5) {
        const vault = pick(["payments", "platform"]);
        const t = hour + between(0, 55) * MINUTE;
        emit({ t, vault, op: "VaultGet", actor: A.alice });
        emit({ t: t + 30_000, vault, op: "SecretGet", actor: A.alice, secret: pick(SECRETS[vault]!) });
      }
      // PR environments: the CI identity creates each PR's secrets in office hours ...
      if (!weekend && h >= 9 && h < 18 && random() < 0.4) {
        const pr = 100 + d * 10 + h - 9;
        const t = hour + between(0, 50) * MINUTE;
        emit({ t, vault: "orders", op: "SecretSet", actor: A.ciPipeline, secret: `pr-${pr}-db`, version: newVersion(`orders/secrets/pr-${pr}-db`) });
        emit({
          t: t + 20_000,
          vault: "orders",
          op: "SecretSet",
          actor: A.ciPipeline,
          secret: `pr-${pr}-token`,
          version: newVersion(`orders/secrets/pr-${pr}-token`),
        });
      }
    }
    nightly(d);
    testKeys(d);
    if (weekday === 2) deploy(d);
    if (weekday === 0) scan(d);
    if (weekday === 3) rotate(d);
    if (d === onboardDay) onboard(d);
  }
  if (plan) plan.inject();

  return { records: deliver(), labels, vaults: VAULTS, evalFromMs: at(ROUTINE_WARMUP_DAYS, 0), evalToMs: at(days, 0), selfIds: [A.kvguard.oid] };

  function isWeekday(d: number): boolean {
    const w = new Date(at(d, 0)).getUTCDay();
    return w !== 0 && w !== 6;
  }

  /** Nightly: PR secrets of the day cleaned up at 23:xx, backups written and the week-old one purged at 01:xx. */
  function nightly(d: number): void {
    const prs = [...versions.keys()]
      .filter((k) => k.startsWith("orders/secrets/pr-") && !versions.get(k)!.includes("gone"))
      .map((k) => k.slice("orders/secrets/".length));
    let t = at(d, 23, between(0, 20));
    for (const name of prs) {
      emit({ t: (t += between(5, 30) * 1000), vault: "orders", op: "SecretDelete", actor: A.ciPipeline, secret: name });
      emit({ t: (t += between(20, 60) * 1000), vault: "orders", op: "SecretPurge", actor: A.ciPipeline, secret: name });
      versions.get(`orders/secrets/${name}`)!.push("gone");
    }
    t = at(d, 1, between(0, 15));
    const name = `backup-${ymd(at(d, 0))}`;
    emit({ t, vault: "data", op: "SecretSet", actor: A.backupJob, secret: name, version: newVersion(`data/secrets/${name}`) });
    for (const secret of ["db-password", "stripe-key"])
      emit({ t: (t += between(10, 40) * 1000), vault: "payments", op: "SecretBackup", actor: A.backupJob, secret });
    if (d >= 7) {
      const old = `backup-${ymd(at(d - 7, 0))}`;
      emit({ t: (t += between(10, 40) * 1000), vault: "data", op: "SecretDelete", actor: A.backupJob, secret: old });
      emit({ t: t + between(30, 90) * 1000, vault: "data", op: "SecretPurge", actor: A.backupJob, secret: old });
    }
  }

  /** Nightly at 22:xx: integration tests' key made for the day; yesterday's disabled, deleted and purged. */
  function testKeys(d: number): void {
    let t = at(d, 22, Math.floor(keyRandom() * 15));
    emit({ t, vault: "data", op: "KeyCreate", actor: A.keyJob, key: `it-${ymd(at(d, 0))}-kek`, version: newVersion(`data/keys/it-${ymd(at(d, 0))}-kek`) });
    if (d === 0) return;
    const old = `it-${ymd(at(d - 1, 0))}-kek`;
    for (const op of ["KeyUpdate", "KeyDelete", "KeyPurge"])
      emit({ t: (t += (10 + Math.floor(keyRandom() * 30)) * 1000), vault: "data", op, actor: A.keyJob, key: old });
  }

  /** Tuesday 14:00: new versions of config secrets, and now and then a new secret the gateway starts reading. */
  function deploy(d: number): void {
    let t = at(d, 14, between(0, 20));
    for (const [vault, secret] of [
      ["orders", "api-key"],
      ["platform", "session-key"],
      ["platform", "oauth-client"],
    ] as const) {
      emit({ t: (t += 30_000), vault, op: "SecretSet", actor: A.deployPipeline, secret, version: newVersion(`${vault}/secrets/${secret}`) });
    }
    const flag = `feature-w${Math.floor(d / 7)}-flag`;
    emit({ t: (t += 30_000), vault: "platform", op: "SecretSet", actor: A.deployPipeline, secret: flag, version: newVersion(`platform/secrets/${flag}`) });
    for (let i = 0; i < 40; i++) emit({ t: t + 60_000 + i * between(2, 6) * MINUTE, vault: "platform", op: "SecretGet", actor: A.gateway, secret: flag });
    if (!SECRETS.platform!.includes(flag)) SECRETS.platform!.push(flag);
  }

  /** Sunday 04:00: the secret scanner lists every vault and reads every secret's current version. */
  function scan(d: number): void {
    let t = at(d, 4, between(0, 10));
    for (const vault of VAULTS) {
      emit({ t: (t += 20_000), vault, op: "SecretList", actor: A.scanner });
      const live = [
        ...SECRETS[vault]!,
        ...[...versions.keys()].filter((k) => k.startsWith(`${vault}/secrets/`) && !versions.get(k)!.includes("gone")).map((k) => k.split("/")[2]!),
      ];
      for (const secret of new Set(live)) emit({ t: (t += between(1, 4) * 1000), vault, op: "SecretGet", actor: A.scanner, secret });
    }
  }

  /** Wednesday 03:00: kvguard rotates the database passwords and both keys; consumers follow within the hour. */
  function rotate(d: number): void {
    const t = at(d, 3, between(0, 10));
    for (const vault of ["payments", "orders"]) {
      const previous = current(`${vault}/secrets/db-password`);
      emit({ t, vault, op: "SecretSet", actor: A.kvguard, secret: "db-password", version: newVersion(`${vault}/secrets/db-password`) });
      // A consumer that cached the old value reads it once more before picking up the new one.
      emit({
        t: t + between(2, 30) * MINUTE,
        vault,
        op: "SecretGet",
        actor: vault === "payments" ? A.paymentsApi : A.ordersApi,
        secret: "db-password",
        version: previous,
      });
    }
    emit({ t: t + 5 * MINUTE, vault: "data", op: "KeyRotate", actor: A.kvguard, key: "docs-kek", version: newVersion("data/keys/docs-kek") });
    emit({ t: t + 6 * MINUTE, vault: "platform", op: "KeyRotate", actor: A.kvguard, key: "jwt-signing", version: newVersion("platform/keys/jwt-signing") });
  }

  /** An ordinary onboarding: the admin grants a new app in office hours; it reads its two secrets steadily. */
  function onboard(d: number): void {
    const t = at(d, between(10, 15), between(0, 50));
    emit({
      t,
      vault: "payments",
      op: "VaultPatch",
      actor: A.alice,
      properties: { addedAccessPolicy: { ObjectId: A.invoiceApi.oid, PermissionsToSecrets: "get" } },
    });
    for (let at2 = t + between(3, 10) * MINUTE; at2 < CORPUS_START_MS + days * DAY; at2 += between(2, 6) * MINUTE) {
      emit({ t: at2, vault: "payments", op: "SecretGet", actor: A.invoiceApi, secret: random() < 0.5 ? "stripe-key" : "fx-token" });
    }
  }

  function planAttacks(): { gap: { vault: string; from: number; to: number }; inject(): void } {
    const gapVault = pick(["payments", "orders"]);
    const gapDay = pick(evalDays);
    const gapFrom = at(gapDay, between(10, 15), between(0, 59));
    const gap = { vault: gapVault, from: gapFrom, to: gapFrom + between(100, 140) * MINUTE };
    return {
      gap,
      inject() {
        labels.push({
          scenario: "short audit gap on a busy vault",
          kind: "audit-gap",
          detector: "defense_evasion_audit_gap",
          vault: gap.vault,
          fromMs: gap.from,
          toMs: gap.to,
        });

        // A purge slipped into the nightly PR cleanup: an object the pipeline never created.
        let d = pick(evalDays.filter((x) => x < days - 1));
        let t = at(d, 23, 45);
        const victim = pick(["queue-conn", "cache-pass"]);
        const ids = [
          emit({ t, vault: "orders", op: "SecretDelete", actor: A.ciPipeline, secret: victim }),
          emit({ t: t + 40_000, vault: "orders", op: "SecretPurge", actor: A.ciPipeline, secret: victim }),
        ];
        labels.push({
          scenario: "purge hidden in the nightly PR cleanup",
          kind: "routine-hidden",
          detector: "impact_destructive_operation",
          vault: "orders",
          principal: A.ciPipeline.oid,
          fromMs: t,
          toMs: t + 40_000,
          leadsWith: ids,
        });

        // A purge slipped into the backup rotation: a partner key the backup job never wrote.
        d = pick(evalDays.filter((x) => x !== d));
        t = at(d, 1, 16);
        const partner = `partner-${pick(PARTNERS.slice(0, 4))}-key`;
        const ids2 = [
          emit({ t, vault: "data", op: "SecretDelete", actor: A.backupJob, secret: partner }),
          emit({ t: t + 50_000, vault: "data", op: "SecretPurge", actor: A.backupJob, secret: partner }),
        ];
        labels.push({
          scenario: "purge hidden in the backup rotation",
          kind: "routine-hidden",
          detector: "impact_destructive_operation",
          vault: "data",
          principal: A.backupJob.oid,
          fromMs: t,
          toMs: t + 50_000,
          leadsWith: ids2,
        });

        // A key purge slipped into the nightly test-key clean-up: the documents' key, which the job never made.
        d = evalDays[Math.floor(keyRandom() * evalDays.length)]!;
        t = at(d, 22, 30);
        const ids3 = [
          emit({ t, vault: "data", op: "KeyDelete", actor: A.keyJob, key: "docs-kek" }),
          emit({ t: t + 45_000, vault: "data", op: "KeyPurge", actor: A.keyJob, key: "docs-kek" }),
        ];
        labels.push({
          scenario: "key purge hidden in the test-key clean-up",
          kind: "routine-hidden",
          detector: "impact_key_material",
          vault: "data",
          principal: A.keyJob.oid,
          fromMs: t,
          toMs: t + 45_000,
          leadsWith: ids3,
        });

        // A night-time grant by the admin's identity, then the new principal reads everything, slowly.
        d = pick(evalDays);
        const vault = pick(["payments", "platform"]);
        t = at(d, between(1, 4), between(0, 40));
        emit({ t, vault, op: "VaultPatch", actor: A.alice, properties: { addedAccessPolicy: { ObjectId: A.intruder.oid, PermissionsToSecrets: "get,list" } } });
        let r = t + between(4, 12) * MINUTE;
        for (const secret of SECRETS[vault]!) emit({ t: (r += between(2, 5) * MINUTE), vault, op: "SecretGet", actor: A.intruder, secret });
        labels.push({
          scenario: "night-time grant then broad reads",
          kind: "onboarding",
          detector: "privilege_escalation_policy_change_then_read",
          vault,
          principal: A.intruder.oid,
          fromMs: t,
          toMs: r,
          minSeverity: "medium",
        });

        // An old copy of a rotated password, read by a known app two or more days after the rotation.
        const wednesdays = evalDays.filter((x) => new Date(at(x, 0)).getUTCDay() === 3 && x + 3 < days);
        d = pick(wednesdays) + between(2, 3);
        t = at(d, between(9, 20), between(0, 59));
        const stale = supersededBefore("orders/secrets/db-password", t);
        emit({ t, vault: "orders", op: "SecretGet", actor: A.ordersApi, secret: "db-password", version: stale });
        labels.push({
          scenario: "rotated-away password read days later",
          kind: "stale-version",
          detector: "credential_access_stale_version_read",
          vault: "orders",
          principal: A.ordersApi.oid,
          fromMs: t,
          toMs: t,
        });

        // Signing with a retired key version.
        d = pick(wednesdays) + between(2, 3);
        t = at(d, between(9, 20), between(0, 59));
        emit({ t, vault: "platform", op: "KeySign", actor: A.tokenService, key: "jwt-signing", version: supersededBefore("platform/keys/jwt-signing", t) });
        labels.push({
          scenario: "signing with a retired key version",
          kind: "stale-version",
          detector: "credential_access_stale_version_read",
          vault: "platform",
          principal: A.tokenService.oid,
          fromMs: t,
          toMs: t,
        });

        // Low and slow: the ETL worker reads two or three partner keys a day it never read, for five days.
        const start = between(15, 21);
        const targets = PARTNERS.slice(4).map((p) => `partner-${p}-key`);
        let first = 0;
        let last = 0;
        for (let k = 0; k < 5; k++) {
          for (let i = 0, n = between(2, 3); i < n && targets.length > 0; i++) {
            const time = at(start + k, between(8, 20), between(0, 59));
            emit({ t: time, vault: "data", op: "SecretGet", actor: A.etlWorker, secret: targets.splice(Math.floor(random() * targets.length), 1)[0]! });
            first = first === 0 ? time : Math.min(first, time);
            last = Math.max(last, time);
          }
        }
        labels.push({
          scenario: "low and slow reads by a known app",
          kind: "low-and-slow",
          detector: "credential_access_new_object_creep",
          vault: "data",
          principal: A.etlWorker.oid,
          fromMs: first,
          toMs: last,
        });
      },
    };
  }

  /** Time order, except about 0.5% of records delivered 1-20 min late and 0.3% delivered twice. */
  function deliver(): Record<string, unknown>[] {
    const out: { at: number; n: number; record: Record<string, unknown> }[] = [];
    let n = 0;
    for (const { e, version, cid } of events) {
      const record = archiveEvent(e, { correlationId: cid, durationMs: between(3, 60), version });
      const roll = random();
      out.push({ at: e.t + (roll < 0.005 ? between(1, 20) * MINUTE : 0), n: n++, record });
      if (roll > 0.997) out.push({ at: e.t + between(0, 5) * MINUTE, n: n++, record });
    }
    out.sort((a, b) => a.at - b.at || a.n - b.n);
    return out.map((o) => o.record);
  }
}
