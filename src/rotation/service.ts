/**
 * @module The rotation service: what every trigger calls. The sweep decides what is due and enqueues one job
 * per object; the queue worker runs jobs through the engine; events and on-demand requests become jobs too.
 * One code path, whichever trigger fired, against the local stack or Azure alike.
 */
import type { TableClient } from "@azure/data-tables";
import type { QueueClient } from "@azure/storage-queue";
import type { Clock } from "../common/clock.js";
import { ensureError, statusOf } from "../common/errors.js";
import type { KvguardConfig } from "../config/schema.js";
import type { Telemetry } from "../telemetry/port.js";
import { decide, dueAtMs } from "./due.js";
import { RotationEngine, type EngineDeps, type EngineVault, type JobResult } from "./engine.js";
import { EventDedupe } from "./eventDedupe.js";
import type { History } from "./history.js";
import { encodeJob, parseJob, type RotationJob } from "./job.js";
import { measuredJob } from "./jobTelemetry.js";
import { sweepNative } from "./nativeSweep.js";
import { isPendingName, PENDING_TAGS } from "./pending.js";
import { resolvePolicy } from "./policy.js";
import { matchEntry, type PolicyFile } from "./policyFile.js";
import type { PolicySource } from "./policySource.js";
import { byObject, nextRevokeAt, objectKey, type RotationStatus, type StatusStore } from "./status.js";
import { SweepCounts } from "./sweepGauges.js";
import { parseVaultEvent } from "./vaultEvents.js";

const SEND_BATCH = 16;

/** What a rotation service runs with, built by the app (`src/app/rotation.ts`). */
export interface RotationServiceParts {
  config: KvguardConfig;
  vaults: Map<string, EngineVault>;
  queue: QueueClient;
  poison: QueueClient;
  history: History;
  status: StatusStore;
  events: TableClient;
  /** The operator's policy file, read again on every sweep and job (the last good one kept). */
  policy: PolicySource;
  clock: Clock;
  log: (line: string) => void;
  telemetry: Telemetry;
  engine: Pick<EngineDeps, "afterStep" | "afterFinish" | "lockWaitMs" | "locks" | "hmac" | "onOutcome" | "runtime" | "rotators" | "targets" | "revokeGate">;
  /** Expiry notices for what nothing renews in time (src/notices), run after each vault's sweep. */
  notices?: VaultNotices;
}

export interface VaultNotices {
  sweepVault(vault: EngineVault, file: PolicyFile, statuses: ReadonlyMap<string, RotationStatus>): Promise<{ announced: unknown[]; errors: string[] }>;
}

export interface SweepReport {
  secrets: number;
  keys: number;
  certificates: number;
  enqueued: number;
  resumed: number;
  revokes: number;
  noPolicy: string[];
  /** `changed`: the problems differ from what the object's status last recorded (new, or edited since). */
  invalid: { object: string; problems: string[]; changed: boolean }[];
  backingOff: number;
  /** Expiry notices this sweep announced. */
  notices?: number;
  errors: { vault: string; error: string }[];
}

export interface EventReport {
  accepted: number;
  ignored: number;
  duplicates: number;
  rejected: { id?: string; reason: string }[];
}

export class RotationService {
  readonly engine: RotationEngine;
  readonly #dedupe: EventDedupe;

  readonly config: KvguardConfig;
  readonly vaults: Map<string, EngineVault>;
  readonly queue: QueueClient;
  readonly poison: QueueClient;
  readonly history: History;
  readonly status: StatusStore;
  readonly events: TableClient;
  readonly policy: PolicySource;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  readonly notices: VaultNotices | undefined;
  readonly telemetry: Telemetry;

  constructor(parts: RotationServiceParts) {
    this.config = parts.config;
    this.vaults = parts.vaults;
    this.queue = parts.queue;
    this.poison = parts.poison;
    this.history = parts.history;
    this.status = parts.status;
    this.events = parts.events;
    this.policy = parts.policy;
    this.clock = parts.clock;
    this.log = parts.log;
    this.notices = parts.notices;
    this.telemetry = parts.telemetry;
    this.#dedupe = new EventDedupe(parts.events, parts.clock);
    this.engine = new RotationEngine({
      vault: (name) => this.vaults.get(name.toLowerCase()),
      history: parts.history,
      status: parts.status,
      policyFile: () => parts.policy.current(),
      limits: { minRotationSeconds: parts.config.rotation.minRotationSeconds },
      clock: parts.clock,
      maxAttempts: parts.config.rotation.maxAttempts,
      log: parts.log,
      telemetry: parts.telemetry,
      ...parts.engine,
    });
  }

  #job(partial: Omit<RotationJob, "v" | "requestedAt">): RotationJob {
    return { v: 1, requestedAt: new Date(this.clock.nowMs()).toISOString(), ...partial };
  }

  /** The message carries the trace of its trigger, so the worker's span continues it. */
  async enqueue(job: RotationJob): Promise<void> {
    const attributes = { "kvguard.vault": job.vault, "kvguard.object": job.name, "kvguard.job.trigger": job.trigger };
    await this.telemetry.span(
      "kvguard.enqueue",
      async () => {
        const traceparent = this.telemetry.traceparent();
        await this.queue.sendMessage(encodeJob(traceparent ? { ...job, traceparent } : job));
      },
      { kind: "producer", attributes },
    );
  }

  /** Lists every secret and key (properties only, never values), enqueues what is due, reports the rest. */
  sweep(): Promise<SweepReport> {
    return this.telemetry.span("kvguard.sweep", () => this.#sweep());
  }

  async #sweep(): Promise<SweepReport> {
    const counts = new SweepCounts(this.clock.nowMs());
    const report: SweepReport = {
      secrets: 0,
      keys: 0,
      certificates: 0,
      enqueued: 0,
      resumed: 0,
      revokes: 0,
      noPolicy: [],
      invalid: [],
      backingOff: 0,
      errors: [],
    };
    for (const vault of this.vaults.values()) {
      try {
        await this.#sweepVault(vault, report, counts);
      } catch (error) {
        // One vault that cannot be read (deleted, no access) must not stop the others.
        report.errors.push({ vault: vault.target.name, error: ensureError(error).message });
      }
    }
    counts.report(this.telemetry);
    return report;
  }

  async #sweepVault(vault: EngineVault, report: SweepReport, counts: SweepCounts): Promise<void> {
    const now = this.clock.nowMs();
    const file = await this.policy.current();
    const limits = { minRotationSeconds: this.config.rotation.minRotationSeconds };
    const statuses = byObject(await this.status.list(vault.target.name));
    // Jobs go out while the listing goes on, a few at a time: the worker can start early, and a vault of
    // many due secrets never holds thousands of sends in flight.
    let sending: Promise<void>[] = [];
    const job = async (kind: RotationJob["kind"], name: string, trigger: RotationJob["trigger"], baseVersion?: string) => {
      sending.push(this.enqueue(this.#job({ kind, vault: vault.target.name, name, trigger, ...(baseVersion ? { baseVersion } : {}) })));
      report.enqueued += 1;
      if (sending.length >= SEND_BATCH) {
        await Promise.all(sending);
        sending = [];
      }
    };
    for await (const secret of vault.secrets.listPropertiesOfSecrets()) {
      const tags = secret.tags ?? {};
      if (isPendingName(secret.name)) {
        // An open pending credential means a rotation stopped midway: resume it whatever the schedule says.
        const target = tags[PENDING_TAGS.pendingFor];
        if (tags[PENDING_TAGS.state] === "open" && target) {
          await job("secret", target, "resume");
          report.resumed += 1;
        }
        continue;
      }
      if (secret.name.toLowerCase() === this.config.rotation.hmacSecretName.toLowerCase()) continue;
      // A certificate's secret: renewing the certificate makes its new versions.
      if (secret.managed) continue;
      report.secrets += 1;
      const status = statuses.get(objectKey("secret", secret.name));
      const revokeAt = nextRevokeAt(status);
      if (revokeAt !== undefined && revokeAt <= now) {
        await job("revoke", secret.name, "schedule");
        report.revokes += 1;
      }
      const resolved = resolvePolicy(this.engine.deps.rotators, tags, matchEntry(file.secrets, vault.target.name, secret.name), limits);
      counts.add(vault.target.name, "secret", secret.expiresOn, resolved.kind === "policy" ? dueAtMs(resolved.policy, secret) : undefined);
      if (resolved.kind === "none") {
        report.noPolicy.push(`${vault.target.name}/${secret.name}`);
        continue;
      }
      if (resolved.kind === "invalid") {
        const changed = await this.#recordInvalid(vault.target.name, secret.name, "secret", resolved.problems, status);
        report.invalid.push({ object: `${vault.target.name}/${secret.name}`, problems: resolved.problems, changed });
        continue;
      }
      if (status?.nextAttemptAt && Date.parse(status.nextAttemptAt) > now) {
        report.backingOff += 1;
        continue;
      }
      if (decide(resolved.policy, secret, now).due) await job("secret", secret.name, "schedule");
    }
    await sweepNative(this.engine.deps.rotators, vault, file, statuses, now, {
      counted: (kind) => void (kind === "key" ? (report.keys += 1) : (report.certificates += 1)),
      seen: (kind, object, dueAtMs) => counts.add(vault.target.name, kind, object.expiresOn, dueAtMs),
      job,
      noPolicy: (object) => void report.noPolicy.push(object),
      invalid: async (kind, name, object, problems) => {
        const changed = await this.#recordInvalid(vault.target.name, name, kind, problems, statuses.get(objectKey(kind, name)));
        report.invalid.push({ object, problems, changed });
      },
      resumed: () => void (report.resumed += 1),
      backingOff: () => void (report.backingOff += 1),
    });
    await Promise.all(sending);
    if (this.notices) {
      const notices = await this.notices.sweepVault(vault, file, statuses);
      report.notices = (report.notices ?? 0) + notices.announced.length;
      for (const error of notices.errors) report.errors.push({ vault: vault.target.name, error: `expiry notices: ${error}` });
    }
  }

  /** Records an invalid policy once per distinct problem, not on every sweep; says whether it recorded. */
  async #recordInvalid(vault: string, name: string, kind: RotationStatus["kind"], problems: string[], status: RotationStatus | undefined): Promise<boolean> {
    const message = `invalid rotation policy: ${problems.join("; ")}`;
    if (status?.state === "invalid-policy" && status.lastError === message) return false;
    const at = new Date(this.clock.nowMs()).toISOString();
    await this.history.record({ vault, name, rotationId: "sweep", step: "policy", outcome: "failed", trigger: "schedule", message, at });
    await this.status.put({ vault, name, kind, state: "invalid-policy", attempts: 0, lastError: message, lastErrorAt: at });
    return true;
  }

  /**
   * Runs one queued job (the decoded message, or its text). A malformed message is recorded in history with
   * its text and dropped: retrying it could never succeed.
   */
  async processMessage(message: unknown): Promise<JobResult | { outcome: "rejected"; message: string }> {
    const parsed = parseJob(message);
    if (!parsed.ok) {
      const text = typeof message === "string" ? message : JSON.stringify(message);
      const at = new Date(this.clock.nowMs()).toISOString();
      const shown = text.length > 300 ? `${text.slice(0, 300)}...` : text;
      await this.history.record({
        vault: "unknown",
        name: "message",
        rotationId: "queue",
        step: "reject",
        outcome: "failed",
        message: `${parsed.error}; message: ${shown}`,
        at,
      });
      return { outcome: "rejected", message: parsed.error };
    }
    return measuredJob(this.telemetry, parsed.job, () => this.engine.run(parsed.job), { fromQueue: true });
  }

  /** Records a job the queue gave up on (after maxDequeueCount failures), so it is not silently lost. */
  async recordPoisoned(text: unknown): Promise<void> {
    const parsed = parseJob(text);
    const at = new Date(this.clock.nowMs()).toISOString();
    const where = parsed.ok ? { vault: parsed.job.vault, name: parsed.job.name } : { vault: "unknown", name: "message" };
    await this.history.record({
      ...where,
      rotationId: "queue",
      step: "reject",
      outcome: "failed",
      message: parsed.ok ? `gave up after repeated failures (${parsed.job.kind} job, ${parsed.job.trigger}); see the failed steps before this` : parsed.error,
      at,
    });
  }

  /** On-demand rotation, run now under the same lock and protocol. */
  rotateNow(vaultName: string, name: string, kind: "secret" | "key" | "certificate" = "secret"): Promise<JobResult> {
    return this.telemetry.span("kvguard.rotate-now", () => this.#rotateNow(vaultName, name, kind));
  }

  async #rotateNow(vaultName: string, name: string, kind: "secret" | "key" | "certificate"): Promise<JobResult> {
    const vault = this.vaults.get(vaultName.toLowerCase());
    if (!vault)
      throw new Error(
        `vault ${vaultName} is not one kvguard manages (KVGUARD_VAULT_URLS lists ${[...this.vaults.values()].map((v) => v.target.name).join(", ")})`,
      );
    // The version seen before taking the lock: a rotation that lands meanwhile makes this one a no-op.
    const baseVersion =
      kind === "key"
        ? (await vault.keys.getKey(name)).properties.version
        : kind === "certificate"
          ? (await vault.certificates.getCertificate(name)).properties.version
          : await this.#liveVersion(vault, name);
    const job = this.#job({ kind, vault: vault.target.name, name, trigger: "manual", ...(baseVersion ? { baseVersion } : {}) });
    return measuredJob(this.telemetry, job, () => this.engine.run(job), { fromQueue: false });
  }

  async #liveVersion(vault: EngineVault, name: string): Promise<string | undefined> {
    try {
      return (await vault.secrets.getSecret(name)).properties.version;
    } catch (error) {
      if (statusOf(error) === 404) throw new Error(`secret ${name} does not exist in vault ${vault.target.name}`, { cause: error });
      throw error;
    }
  }

  /** Accepts Key Vault events: near-expiry and expiry of managed objects become jobs, once per event and version. */
  acceptEvents(body: unknown): Promise<EventReport> {
    return this.telemetry.span("kvguard.vault-events", () => this.#acceptEvents(body));
  }

  async #acceptEvents(body: unknown): Promise<EventReport> {
    const report: EventReport = { accepted: 0, ignored: 0, duplicates: 0, rejected: [] };
    for (const item of Array.isArray(body) ? (body as unknown[]) : [body]) {
      const parsed = parseVaultEvent(item);
      if (!parsed.ok) {
        if (parsed.ignored) report.ignored += 1;
        else report.rejected.push({ ...(parsed.id ? { id: parsed.id } : {}), reason: parsed.reason });
        continue;
      }
      const event = parsed.event;
      const vault = this.vaults.get(event.topicVault.toLowerCase());
      if (!vault) {
        report.rejected.push({ id: event.id, reason: `vault ${event.topicVault} is not one kvguard manages` });
        continue;
      }
      const objectVersion = `${event.kind}|${event.name}|${event.version}`;
      if ((await this.#dedupe.claim(vault.target.name, event.id, objectVersion)) === "duplicate") {
        report.duplicates += 1;
        continue;
      }
      // A failure here leaves the claim open: Event Grid's redelivery takes it over (eventDedupe.ts).
      await this.enqueue(
        this.#job({
          kind: event.kind,
          vault: vault.target.name,
          name: event.name,
          trigger: "event",
          baseVersion: event.version,
          eventId: event.id,
          eventType: event.type,
        }),
      );
      // The job is in the queue: should marking it fail, a redelivery enqueues a second job, which finds the
      // version rotated and does nothing. Failing the delivery for it would cause exactly that.
      await this.#dedupe.enqueued(vault.target.name, event.id, objectVersion).catch((error: unknown) => {
        this.log(`event ${event.id}: job enqueued, but not marked so (${ensureError(error).message}); a redelivery would enqueue it again`);
      });
      report.accepted += 1;
    }
    return report;
  }
}
