/**
 * @module The rotation engine: one crash-safe protocol for every trigger. Under the secret's lock it reads
 * the live version and any pending credential, then rolls forward:
 *
 *   create (persist the pending credential) → set (apply at the target) → test → finish (new live version)
 *
 * Each step checks before it acts, so a rerun after a crash at any point continues with the same pending
 * credential, and "already rotated" is a success that does nothing. The live secret's latest version
 * therefore always holds a credential that works at the target. Revoke runs after the grace period.
 */
import { randomUUID } from "node:crypto";
import type { CertificateClient } from "@azure/keyvault-certificates";
import type { KeyClient } from "@azure/keyvault-keys";
import type { KeyVaultSecret, SecretClient } from "@azure/keyvault-secrets";
import type { Clock } from "../common/clock.js";
import { ensureError, statusOf } from "../common/errors.js";
import type { VaultTarget } from "../config/vaultUrl.js";
import type { Rotators } from "../rotators/rotators.js";
import type { Credential, RotatorContext, RotatorRuntime } from "../rotators/types.js";
import { checkTargets, tlsFloor, TrustRefusal } from "./bindings.js";
import { noTelemetry, type Telemetry } from "../telemetry/port.js";
import { failedAttempt } from "./backoff.js";
import { decide } from "./due.js";
import type { History, HistoryRow, Step } from "./history.js";
import type { ValueHmac } from "./hmac.js";
import { objectKindOf, type RotationJob } from "./job.js";
import { noteRotator } from "./jobTelemetry.js";
import { LockBusyError, type BlobLocks } from "./lock.js";
import { isNativeJob, runNativeJob, type NativeJobResult } from "./nativeJob.js";
import { PendingStore, type Pending } from "./pending.js";
import { DEFAULTS, METADATA_TAGS, resolvePolicy, TAGS, type PolicyLimits, type SecretPolicy } from "./policy.js";
import { matchEntry, type PolicyFile } from "./policyFile.js";
import { fixedGrace, type ConsumerCounts, type RevokeGate } from "./revokeGate.js";
import type { FinishedRotation } from "./refreshApps.js";
import { targetKey, type TargetClaim, type TargetLedger } from "./targetLedger.js";
import { pendingRevokes, type RotationStatus, type StatusStore } from "./status.js";
import { DAY_MS } from "../common/duration.js";

export interface EngineVault {
  target: VaultTarget;
  secrets: SecretClient;
  keys: KeyClient;
  certificates: CertificateClient;
}

/**
 * Where a run can be stopped: after a step, or inside one right after the rotator acted at the target and
 * before Key Vault knows (`create-at-target`: a key regenerated or a client secret added, no pending credential
 * written; `set-at-target`: the new credential applied at the target, the pending one not yet marked set).
 */
export type KillPoint = Step | "create-at-target" | "set-at-target";

export interface EngineDeps {
  vault(name: string): EngineVault | undefined;
  locks: BlobLocks;
  history: History;
  status: StatusStore;
  hmac: ValueHmac;
  /** The operator's policy file as it is now (entries, bindings, managers). */
  policyFile(): Promise<PolicyFile>;
  /** Floors from the settings that no tag goes below. */
  limits: PolicyLimits;
  /** When each target was last rotated (the per-target rate limit). */
  targets: TargetLedger;
  clock: Clock;
  /** Handed to rotators in their context. */
  runtime: RotatorRuntime;
  /** The rotators policies may name (the registry, built by the app). */
  rotators: Rotators;
  maxAttempts: number;
  /** Decides when a previous credential is revoked (audit-aware); without it, at the end of its grace. */
  revokeGate?: RevokeGate;
  /** How long a job waits for another run's lock before it is retried later. */
  lockWaitMs: number;
  /** Called after each step completes, and inside create and set once the rotator acted at the target: the crash tests' kill points. */
  afterStep?(step: KillPoint, job: RotationJob): void | Promise<void>;
  /**
   * After a secret's new version is live in Key Vault, before its pending credential is closed (so a rerun
   * after a crash calls it again, `resumed`): pushes the new value to the declared consumers; it must not throw.
   */
  afterFinish?(finished: FinishedRotation): Promise<void>;
  /** Told every job's outcome or failure (alerting); it must not throw. */
  onOutcome?(job: RotationJob, outcome: { result: JobResult } | { error: unknown; status?: RotationStatus }): Promise<void>;
  log(line: string): void;
  /** A span per protocol step (check, set, test). */
  telemetry?: Telemetry;
}

export type Outcome =
  | "rotated"
  | "already-rotated"
  | "not-due"
  | "no-policy"
  | "invalid-policy"
  | "revoked"
  | "nothing-to-revoke"
  /** Grace ended, but the revoke gate waits for consumers still on the previous credential (or holds it). */
  | "revoke-waiting"
  /** The operator's bindings do not allow a target (the message names the setting that would). */
  | "refused"
  | "not-found"
  /** A certificate only a person can renew (issuer Unknown, imported): left as it is. */
  | "cannot-renew";

export interface JobResult {
  outcome: Outcome;
  rotationId: string;
  message: string;
  version?: string;
  /** The rotator's `rotationWarning`, when a rotation made a new version live. */
  warning?: string;
}

/** Propagation at the target can lag: test the new credential a few times before giving up. */
const TEST_ATTEMPTS = 4;
const TEST_BACKOFF_MS = 500;

export class RotationEngine {
  constructor(readonly deps: EngineDeps) {}

  async run(job: RotationJob): Promise<JobResult> {
    const vault = this.deps.vault(job.vault);
    if (!vault) throw new Error(`vault ${job.vault} is not one kvguard manages (KVGUARD_VAULT_URLS)`);
    const rotationId = randomUUID();
    const lock = await this.deps.locks.acquire(vault.target.name, job.name, this.deps.lockWaitMs);
    try {
      const result = await this.#run(vault, job, rotationId);
      await this.deps.onOutcome?.(job, { result });
      return result;
    } catch (error) {
      await this.deps.onOutcome?.(job, { error, status: await this.deps.status.get(vault.target.name, job.name, objectKindOf(job)).catch(() => undefined) });
      throw error;
    } finally {
      await lock.release();
    }
  }

  async #run(vault: EngineVault, job: RotationJob, rotationId: string): Promise<JobResult> {
    const file = await this.deps.policyFile();
    if (job.kind === "revoke") return this.#revoke(vault, job, rotationId, file);
    if (isNativeJob(job.kind)) return this.#native(vault, { ...job, kind: job.kind }, rotationId, file);
    return this.#rotate(vault, job, rotationId, file);
  }

  async #rotate(vault: EngineVault, job: RotationJob, newRotationId: string, file: PolicyFile): Promise<JobResult> {
    const { secrets } = vault;
    const pendingStore = new PendingStore(secrets);
    let pending = await pendingStore.read(job.name);
    // A resumed rotation keeps its id, so its history reads as one run.
    const rotationId = pending?.rotationId || newRotationId;
    const record = this.#recorder(vault, job, rotationId);
    let live: KeyVaultSecret;
    try {
      live = await secrets.getSecret(job.name);
    } catch (error) {
      if (statusOf(error) === 404) {
        await record("check", "skipped", "the secret does not exist (deleted?); nothing to rotate");
        return { outcome: "not-found", rotationId, message: "secret not found" };
      }
      throw error;
    }
    const liveVersion = live.properties.version!;
    const stored = await this.deps.status.get(vault.target.name, job.name, "secret");
    const status: RotationStatus = stored ?? { vault: vault.target.name, name: job.name, kind: "secret", state: "ok", attempts: 0 };

    // A pending credential for an older live version: either its finish landed and only the close was
    // lost (the live value is the pending one), or the live secret was changed by hand meanwhile.
    if (pending && pending.baseVersion !== liveVersion) {
      if ((await this.#hmac(vault, pending.value)) === (await this.#hmac(vault, live.value ?? ""))) {
        await this.deps.afterFinish?.({ vault: vault.target, name: job.name, rotationId, version: liveVersion, trigger: job.trigger, resumed: true });
        await pendingStore.close(job.name, pending, "finished");
        await record("finish", "ok", "closed the pending credential of a rotation that had finished", { version: liveVersion });
        // The crashed run never recorded its success: record it now, so the previous credential is still revoked.
        const base = pending.baseVersion;
        const resolved = resolvePolicy(this.deps.rotators, live.properties.tags, matchEntry(file.secrets, vault.target.name, job.name), this.deps.limits);
        const graceSeconds = resolved.kind === "policy" ? resolved.policy.gracePeriodSeconds : DEFAULTS.gracePeriodSeconds;
        await this.#succeeded(
          vault,
          job.name,
          stored,
          { version: liveVersion, rotationId, metadata: pending.metadata },
          {
            version: base,
            metadata: pending.replaces,
            graceSeconds,
          },
        );
        return { outcome: "already-rotated", rotationId, message: "the rotation had finished; closed its pending credential", version: liveVersion };
      }
      await pendingStore.close(job.name, pending, "abandoned");
      await record("abandon", "ok", `abandoned a pending credential for version ${pending.baseVersion}: the live secret changed to ${liveVersion} meanwhile`);
      pending = undefined;
    }
    if (!pending && job.trigger === "resume") {
      // The sweep saw an open pending credential; another run has since finished (or closed) it.
      await record("check", "skipped", "nothing to resume: another run finished or closed the pending credential");
      return { outcome: "already-rotated", rotationId, message: "nothing to resume", version: liveVersion };
    }
    if (!pending && job.baseVersion && job.baseVersion !== liveVersion) {
      await record("check", "skipped", `already rotated: the trigger saw version ${job.baseVersion}, the live version is ${liveVersion}`);
      return { outcome: "already-rotated", rotationId, message: "already rotated", version: liveVersion };
    }

    const resolved = resolvePolicy(this.deps.rotators, live.properties.tags, matchEntry(file.secrets, vault.target.name, job.name), this.deps.limits);
    if (resolved.kind === "none") {
      await this.deps.status.put({ ...status, state: "no-policy" });
      return { outcome: "no-policy", rotationId, message: "no rotation policy (no kvguard-rotator tag, no policy-file entry)" };
    }
    if (resolved.kind === "invalid") {
      const message = `invalid rotation policy: ${resolved.problems.join("; ")}`;
      await record("policy", "failed", message);
      await this.deps.status.put({ ...status, state: "invalid-policy", lastError: message, lastErrorAt: this.#now() });
      return { outcome: "invalid-policy", rotationId, message };
    }
    const policy = resolved.policy;
    noteRotator(policy.rotator.name);
    const current: Credential = { value: live.value ?? "", metadata: this.#recorded(stored, liveVersion) };
    if (!pending && (job.trigger === "schedule" || job.trigger === "event")) {
      const decision = decide(policy, live.properties, this.deps.clock.nowMs());
      if (!decision.due) {
        if (decision.nextDueAtMs !== undefined) await this.deps.status.put({ ...status, nextDueAt: new Date(decision.nextDueAtMs).toISOString() });
        return { outcome: "not-due", rotationId, message: decision.reason };
      }
    }
    const ctx = this.#context(vault, job.name, live, policy, file);
    try {
      const keys = await this.#checkTargets(ctx, policy, current, file, vault, job.name).catch(async (error: unknown) => {
        // A target that cannot even be read (a bad ProviderAddress, a missing managing secret) is a failed check.
        if (!(error instanceof TrustRefusal)) await record("check", "failed", ensureError(error).message);
        throw error;
      });
      const claims: TargetClaim[] = [];
      if (!pending && (job.trigger === "schedule" || job.trigger === "event")) {
        const limited = await this.#claimTargets(keys, claims);
        if (limited) return { outcome: "not-due", rotationId, message: limited };
      }
      let run;
      try {
        run = await this.#protocol(vault, job, { rotationId, live, current, pending, policy, ctx, pendingStore, record });
      } catch (error) {
        await Promise.all(claims.map((c) => c.release().catch(() => undefined)));
        throw error;
      }
      const at = this.#now();
      await Promise.all(keys.map((key) => this.deps.targets.rotated(key, at)));
      await this.#succeeded(
        vault,
        job.name,
        stored,
        { version: run.result.version!, rotationId: run.result.rotationId, metadata: run.made },
        {
          version: liveVersion,
          metadata: run.replaced,
          graceSeconds: policy.gracePeriodSeconds,
        },
      );
      return run.result;
    } catch (error) {
      if (error instanceof TrustRefusal) return this.#refuse(record, status, rotationId, error);
      await this.deps.status.put(failedAttempt(status, error, this.deps.maxAttempts, this.deps.clock.nowMs()));
      throw error;
    }
  }

  async #protocol(
    vault: EngineVault,
    job: RotationJob,
    run: {
      rotationId: string;
      live: KeyVaultSecret;
      current: Credential;
      pending: Pending | undefined;
      policy: SecretPolicy;
      ctx: RotatorContext;
      pendingStore: PendingStore;
      record: Recorder;
    },
  ): Promise<{ result: JobResult; made: Record<string, string>; replaced: Record<string, string> }> {
    const { live, current, policy, ctx, pendingStore, record } = run;
    const rotator = policy.rotator;
    const liveVersion = live.properties.version!;
    let pending = run.pending;
    const rotationId = run.rotationId;

    if (!pending) {
      // Confused-deputy guard: the current credential must work at the target before we change it.
      await this.#step(record, "check", job, async () => {
        await rotator.test(ctx, current, "current");
        return "the current credential works at the target";
      });
      // What the proven current value holds, recorded with the pending credential: the revoke after grace
      // acts on this record, never on what a tag says later.
      const replaces = (await rotator.identify?.(ctx, current)) ?? current.metadata;
      const created = await rotator.create(ctx, current);
      await this.deps.afterStep?.("create-at-target", job);
      pending = await pendingStore.write(job.name, created, {
        baseVersion: liveVersion,
        rotationId,
        replaces,
        ...(live.properties.contentType !== undefined ? { contentType: live.properties.contentType } : {}),
      });
      await record("create", "ok", `created a pending credential (rotation ${rotationId})`, { valueHmac: await this.#hmac(vault, pending.value) });
      await this.deps.afterStep?.("create", job);
    }
    const open = pending;

    if (open.step === "created") {
      await this.#step(record, "set", job, async () => {
        const applied = await rotator.test(ctx, open, "pending").then(
          () => true,
          () => false,
        );
        if (!applied) await rotator.set(ctx, open, current);
        await this.deps.afterStep?.("set-at-target", job);
        await pendingStore.mark(job.name, open, "set");
        return applied ? "the pending credential was already applied at the target" : "applied the pending credential at the target";
      });
    }
    if (open.step === "set") {
      await this.#step(record, "test", job, async () => {
        await this.#retry(() => rotator.test(ctx, open, "pending"));
        await pendingStore.mark(job.name, open, "tested");
        return "the pending credential works at the target";
      });
    }

    const now = this.deps.clock.nowMs();
    const tags = this.#versionTags(live.properties.tags ?? {}, { rotationId, rotatedAt: new Date(now).toISOString(), previousVersion: liveVersion }, open);
    const finished = await vault.secrets.setSecret(job.name, open.value, {
      ...(live.properties.contentType !== undefined ? { contentType: live.properties.contentType } : {}),
      tags,
      expiresOn: new Date(now + policy.validityDays * DAY_MS),
    });
    const version = finished.properties.version!;
    const warning = rotator.rotationWarning;
    await record("finish", "ok", `new live version ${version} replaces ${liveVersion}${warning ? `. Warning: ${warning}` : ""}`, {
      version,
      previousVersion: liveVersion,
      valueHmac: await this.#hmac(vault, open.value),
    });
    await this.deps.afterStep?.("finish", job);
    await this.deps.afterFinish?.({ vault: vault.target, name: job.name, rotationId, version, trigger: job.trigger, resumed: false });
    await pendingStore.close(job.name, open, "finished");
    this.deps.log(`rotated ${vault.target.name}/${job.name}: version ${version} (${job.trigger})`);
    return {
      result: { outcome: "rotated", rotationId, message: `rotated to version ${version}`, version, ...(warning ? { warning } : {}) },
      made: open.metadata,
      replaced: open.replaces,
    };
  }

  /**
   * The rotator's declared targets against the operator's bindings, before any side effect (a connection, a
   * Graph or ARM call, a managing credential's use); a target the operator did not allow throws TrustRefusal.
   */
  async #checkTargets(ctx: RotatorContext, policy: SecretPolicy, current: Credential, file: PolicyFile, vault: EngineVault, name: string): Promise<string[]> {
    const targets = (await policy.rotator.targets?.(ctx, current)) ?? [];
    checkTargets(targets, { rotator: policy.rotator.name, vault: vault.target.name, secretName: name, bindings: file.bindings, managers: file.managers });
    return targets.map(targetKey).filter((k): k is string => k !== undefined);
  }

  /**
   * Claims every target for a scheduled or event rotation; when one was rotated (by any secret) less than the
   * minimum period ago, releases what it claimed and says why the rotation waits.
   */
  async #claimTargets(keys: string[], claims: TargetClaim[]): Promise<string | undefined> {
    const now = this.deps.clock.nowMs();
    for (const key of keys) {
      const claim = await this.deps.targets.claim(key, now, this.deps.limits.minRotationSeconds * 1000);
      if ("limitedSince" in claim) {
        await Promise.all(claims.map((c) => c.release()));
        return `target ${key} was rotated at ${new Date(claim.limitedSince).toISOString()}; the operator's minimum rotation period (KVGUARD_MIN_ROTATION_PERIOD) has not passed`;
      }
      claims.push(claim);
    }
    return undefined;
  }

  /** A refusal: history, status and the alert (onOutcome) say why; nothing was done at any target. */
  async #refuse(record: Recorder, status: RotationStatus, rotationId: string, refusal: TrustRefusal): Promise<JobResult> {
    if (status.state !== "refused" || status.lastError !== refusal.message) await record("check", "failed", refusal.message);
    await this.deps.status.put({ ...status, state: "refused", lastError: refusal.message, lastErrorAt: this.#now() });
    this.deps.log(`${status.vault}/${status.name}: ${refusal.message}`);
    return { outcome: "refused", rotationId, message: refusal.message };
  }

  /** kvguard's own record of what the live version holds, when kvguard made that version; else nothing. */
  #recorded(status: RotationStatus | undefined, liveVersion: string): Record<string, string> {
    if (!status?.liveMetadata || status.lastVersion !== liveVersion) return {};
    return JSON.parse(status.liveMetadata) as Record<string, string>;
  }

  async #revoke(vault: EngineVault, job: RotationJob, rotationId: string, file: PolicyFile): Promise<JobResult> {
    const record = this.#recorder(vault, job, rotationId);
    const status = await this.deps.status.get(vault.target.name, job.name, "secret");
    const now = this.deps.clock.nowMs();
    const all = pendingRevokes(status);
    const due = all.filter((r) => Date.parse(r.at) <= now);
    if (!status || due.length === 0) return { outcome: "nothing-to-revoke", rotationId, message: "no grace period has ended" };
    const live = await vault.secrets.getSecret(job.name);
    const resolved = resolvePolicy(this.deps.rotators, live.properties.tags, matchEntry(file.secrets, vault.target.name, job.name), this.deps.limits);
    if (resolved.kind === "policy") noteRotator(resolved.policy.rotator.name);
    const ctx = resolved.kind === "policy" ? this.#context(vault, job.name, live, resolved.policy, file) : undefined;
    if (resolved.kind === "policy" && ctx) {
      // The revoke reaches the same server as a rotation would (through the live value): the same bindings.
      const current = { value: live.value ?? "", metadata: this.#recorded(status, live.properties.version!) };
      try {
        await this.#checkTargets(ctx, resolved.policy, current, file, vault, job.name);
      } catch (error) {
        if (!(error instanceof TrustRefusal)) throw error;
        await record("revoke", "failed", error.message);
        return { outcome: "refused", rotationId, message: error.message };
      }
    }
    const gate = this.deps.revokeGate;
    const gated = gate
      ? await gate.decide({
          vault: vault.target.name,
          name: job.name,
          due,
          ...(live.properties.version ? { liveVersion: live.properties.version } : {}),
          nowMs: now,
          entry: matchEntry(file.secrets, vault.target.name, job.name),
          ...(status.consumers ? { previous: JSON.parse(status.consumers) as ConsumerCounts } : {}),
          record: (message) => record("revoke", "skipped", message),
        })
      : fixedGrace(due, now);
    // Decided (and alerted), nothing revoked or stored yet: the crash tests' kill point.
    await this.deps.afterStep?.("revoke", job);
    for (const { entry: revoke, why } of gated.revoke) {
      // The credential revoked is kvguard's record of what it switched away from (status), never a tag.
      if (resolved.kind === "policy" && ctx) await resolved.policy.rotator.revoke(ctx, { value: "", metadata: revoke.metadata });
      // The old version's credential is dead now; disabling it makes a consumer still pinned to it fail loudly.
      await vault.secrets.updateSecretProperties(job.name, revoke.version, { enabled: false }).catch((error: unknown) => {
        if (statusOf(error) !== 404) throw error;
      });
      await record("revoke", "ok", `revoked the credential of version ${revoke.version} and disabled that version: ${why}`, {
        previousVersion: revoke.version,
      });
    }
    const left = [...all.filter((r) => !due.includes(r)), ...gated.keep];
    const { revokes: _revokes, ...rest } = status;
    const counts = { ...rest, consumers: JSON.stringify(gated.counts) };
    await this.deps.status.put(left.length ? { ...counts, revokes: JSON.stringify(left) } : counts);
    if (gated.revoke.length === 0)
      return { outcome: "revoke-waiting", rotationId, message: `waiting for consumers of ${gated.keep.map((r) => r.version).join(", ")}` };
    return { outcome: "revoked", rotationId, message: `revoked ${gated.revoke.map((r) => r.entry.version).join(", ")}` };
  }

  /** Status after a finished rotation: the previous credential joins those awaiting revoke after its grace. */
  async #succeeded(
    vault: EngineVault,
    name: string,
    before: RotationStatus | undefined,
    now: { version: string; rotationId: string; metadata: Record<string, string> },
    previous: { version: string; metadata: Record<string, string>; graceSeconds: number },
  ): Promise<void> {
    await this.deps.status.put({
      vault: vault.target.name,
      name,
      kind: "secret",
      state: "ok",
      attempts: 0,
      lastSuccessAt: this.#now(),
      lastVersion: now.version,
      lastRotationId: now.rotationId,
      liveMetadata: JSON.stringify(now.metadata),
      revokes: JSON.stringify([
        ...pendingRevokes(before).filter((r) => r.version !== previous.version),
        {
          version: previous.version,
          at: new Date(this.deps.clock.nowMs() + previous.graceSeconds * 1000).toISOString(),
          metadata: previous.metadata,
          rotatedAt: this.#now(),
          newVersion: now.version,
        },
      ]),
    });
  }

  /** Keys and certificates: their native rotator's steps (nativeJob.ts), recorded with their kind. */
  #native(vault: EngineVault, job: RotationJob & { kind: "key" | "certificate" }, rotationId: string, file: PolicyFile): Promise<NativeJobResult> {
    const recorder = (id: string) => {
      const record = this.#recorder(vault, job, id);
      return (step: Step, outcome: HistoryRow["outcome"], message: string, extra: Partial<Pick<HistoryRow, "version" | "previousVersion">> = {}) =>
        record(step, outcome, message, { ...extra, kind: job.kind });
    };
    return runNativeJob(this.deps, vault, job, rotationId, file, recorder);
  }

  async #step(record: Recorder, step: Step, job: RotationJob, act: () => Promise<string>): Promise<void> {
    let message: string;
    try {
      message = await (this.deps.telemetry ?? noTelemetry).span(`kvguard.rotation.${step}`, act);
    } catch (error) {
      // A refusal is recorded once, by the engine's refusal path.
      if (!(error instanceof TrustRefusal)) await record(step, "failed", ensureError(error).message);
      throw error;
    }
    await record(step, "ok", message);
    await this.deps.afterStep?.(step, job);
  }

  async #retry(test: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await test();
      } catch (error) {
        if (attempt >= TEST_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, TEST_BACKOFF_MS * 2 ** (attempt - 1)));
      }
    }
  }

  /** Policy tags stay, rotation metadata is refreshed, the rotator's metadata (CredentialId) updated. */
  #versionTags(
    liveTags: Record<string, string>,
    meta: { rotationId: string; rotatedAt: string; previousVersion: string },
    pending: Pending,
  ): Record<string, string> {
    const tags: Record<string, string> = { ...liveTags };
    if (pending.metadata.credentialId !== undefined) tags[TAGS.credentialId] = pending.metadata.credentialId;
    const metadata = {
      [METADATA_TAGS.rotationId]: meta.rotationId,
      [METADATA_TAGS.rotatedAt]: meta.rotatedAt,
      [METADATA_TAGS.previousVersion]: meta.previousVersion,
    };
    for (const [k, v] of Object.entries(metadata)) {
      // Key Vault allows 15 tags; policy tags come first, metadata takes what room is left (history has it all).
      if (k in tags || Object.keys(tags).length < 15) tags[k] = v;
    }
    return tags;
  }

  /**
   * The context a rotation would hand the rotator, with its targets checked against the operator's bindings
   * first (`kvguard rotate --check` tests with it, so a check reaches nothing a rotation could not).
   */
  async contextFor(vault: EngineVault, name: string, live: KeyVaultSecret, policy: SecretPolicy, current: Credential): Promise<RotatorContext> {
    const file = await this.deps.policyFile();
    const ctx = this.#context(vault, name, live, policy, file);
    await this.#checkTargets(ctx, policy, current, file, vault, name);
    return ctx;
  }

  #context(vault: EngineVault, name: string, live: KeyVaultSecret, policy: SecretPolicy, file: PolicyFile): RotatorContext {
    return {
      tlsFloor: (host, port) => tlsFloor(file.bindings, policy.rotator.name, host, port),
      vault: vault.target,
      secretName: name,
      ...(live.properties.contentType !== undefined ? { contentType: live.properties.contentType } : {}),
      ...(policy.credentialId !== undefined ? { credentialId: policy.credentialId } : {}),
      ...(policy.providerAddress !== undefined ? { providerAddress: policy.providerAddress } : {}),
      options: policy.options,
      runtime: this.deps.runtime,
      log: (message) => this.deps.log(`${vault.target.name}/${name}: ${message}`),
      readSecret: async (other) => {
        let secret: KeyVaultSecret;
        try {
          secret = await vault.secrets.getSecret(other);
        } catch (error) {
          // Say which secret the rotator asked for; the SDK's error stays as the cause.
          const status = statusOf(error);
          const why =
            status === 404 ? "does not exist" : status === 403 ? "is disabled or kvguard may not read it" : `could not be read: ${ensureError(error).message}`;
          throw new Error(`secret ${other} of vault ${vault.target.name} ${why}`, { cause: error });
        }
        return {
          value: secret.value ?? "",
          ...(secret.properties.contentType !== undefined ? { contentType: secret.properties.contentType } : {}),
          tags: secret.properties.tags ?? {},
        };
      },
    };
  }

  #hmac(vault: EngineVault, value: string): Promise<string> {
    return this.deps.hmac.of(vault.target.name, vault.secrets, value);
  }

  #now(): string {
    return new Date(this.deps.clock.nowMs()).toISOString();
  }

  #recorder(vault: EngineVault, job: RotationJob, rotationId: string): Recorder {
    return (step, outcome, message, extra = {}) =>
      this.deps.history.record({
        vault: vault.target.name,
        name: job.name,
        rotationId,
        step,
        outcome,
        trigger: job.trigger,
        message,
        at: new Date(this.deps.clock.nowMs()).toISOString(),
        ...extra,
      } satisfies HistoryRow);
  }
}

type Recorder = (
  step: Step,
  outcome: HistoryRow["outcome"],
  message: string,
  extra?: Partial<Pick<HistoryRow, "version" | "previousVersion" | "valueHmac" | "kind">>,
) => Promise<void>;

export { LockBusyError };
