/**
 * @module A native object's job (a key, a certificate), run by the engine under the object's lock with the
 * same history, status and alerts as a secret's rotation:
 *
 *   policy → reconcile (`set`) → intent in the status row → start (`create`) → confirm (`finish`)
 *
 * The intent (the version it replaces, the rotation id) is written before Key Vault is asked for a new
 * version. A rerun that finds it reads the object: a new current version means the start landed (only the
 * finish is recorded), a version still being made is waited for, and only when neither is Key Vault asked
 * (again). So a run killed at any step and rerun makes exactly one new version.
 */
import { ensureError } from "../common/errors.js";
import type { NativeClients, NativeContext, NativeObject, NativeRotator } from "../rotators/native.js";
import type { Rotators } from "../rotators/rotators.js";
import type { Clock } from "../common/clock.js";
import { failedAttempt } from "./backoff.js";
import type { History, HistoryRow, Step } from "./history.js";
import type { RotationJob } from "./job.js";
import { decisionFor } from "./nativeDecision.js";
import { resolveNativePolicy } from "./nativePolicy.js";
import type { PolicyFile } from "./policyFile.js";
import { matchEntry } from "./policyFile.js";
import type { RotationStatus, StatusStore } from "./status.js";

export type NativeJobKind = "key" | "certificate";

/** What a rerun needs to know of a start that may have landed. */
export interface NativeIntent {
  rotationId: string;
  baseVersion: string;
  at: string;
}

export type NativeRecorder = (
  step: Step,
  outcome: HistoryRow["outcome"],
  message: string,
  extra?: Partial<Pick<HistoryRow, "version" | "previousVersion">>,
) => Promise<void>;

export interface NativeJobDeps {
  status: StatusStore;
  history: History;
  clock: Clock;
  /** KVGUARD_ROTATION_MAX_ATTEMPTS: failures before the status says `failed` (backoff.ts). */
  maxAttempts: number;
  afterStep?(step: Step, job: RotationJob): void | Promise<void>;
  log(line: string): void;
  rotators: Rotators;
}

export interface NativeJobResult {
  outcome: "rotated" | "already-rotated" | "not-due" | "no-policy" | "invalid-policy" | "not-found" | "cannot-renew";
  rotationId: string;
  message: string;
  version?: string;
}

export function isNativeJob(kind: RotationJob["kind"]): kind is NativeJobKind {
  return kind === "key" || kind === "certificate";
}

/** The policy-file section of a kind. */
export function entriesFor(file: PolicyFile, kind: NativeJobKind) {
  return kind === "key" ? file.keys : file.certificates;
}

export function intentOf(status: RotationStatus | undefined): NativeIntent | undefined {
  return status?.intent ? (JSON.parse(status.intent) as NativeIntent) : undefined;
}

export async function runNativeJob(
  deps: NativeJobDeps,
  vault: NativeClients,
  job: RotationJob & { kind: NativeJobKind },
  newRotationId: string,
  file: PolicyFile,
  recorder: (rotationId: string) => NativeRecorder,
): Promise<NativeJobResult> {
  const noun = job.kind;
  const ctx = (): NativeContext => ({ vault, name: job.name, nowMs: deps.clock.nowMs() });
  const now = () => new Date(deps.clock.nowMs()).toISOString();
  // Any rotator of the kind can read it; the policy picks the one that acts.
  const reader = deps.rotators.native(job.kind)[0]!;
  const stored = await deps.status.get(vault.target.name, job.name, job.kind);
  const intent = intentOf(stored);
  // A resumed rotation keeps its id, so its history reads as one run.
  const rotationId = intent?.rotationId ?? newRotationId;
  const record = recorder(rotationId);
  const base = { vault: vault.target.name, name: job.name, kind: job.kind, attempts: 0 } as const;
  const object = await reader.read(ctx());
  if (!object) {
    await record("check", "skipped", `the ${noun} does not exist (deleted?); nothing to rotate`);
    return { outcome: "not-found", rotationId, message: `${noun} not found` };
  }
  const resolved = resolveNativePolicy(deps.rotators, job.kind, object.tags, matchEntry(entriesFor(file, job.kind), vault.target.name, job.name));
  const rotator = resolved.kind === "policy" ? resolved.rotator : reader;

  if (intent && intent.baseVersion !== object.version && !(await rotator.inFlight(ctx()))) {
    // The start landed before the run died: record the finish it never recorded.
    return finish(deps, job, rotator, record, base, rotationId, intent.baseVersion, object, "already-rotated");
  }
  if (!intent && job.trigger === "resume") {
    await record("check", "skipped", "nothing to resume: another run finished the rotation");
    return { outcome: "already-rotated", rotationId, message: "nothing to resume", version: object.version };
  }
  if (!intent && job.baseVersion && job.baseVersion !== object.version) {
    await record("check", "skipped", `already rotated: the trigger saw version ${job.baseVersion}, the current version is ${object.version}`);
    return { outcome: "already-rotated", rotationId, message: "already rotated", version: object.version };
  }
  if (resolved.kind === "none") {
    await deps.status.put({ ...base, state: "no-policy" });
    return { outcome: "no-policy", rotationId, message: "no rotation policy (no kvguard-rotator tag, no policy-file entry)" };
  }
  if (resolved.kind === "invalid") {
    const message = `invalid rotation policy: ${resolved.problems.join("; ")}`;
    await record("policy", "failed", message);
    await deps.status.put({ ...base, state: "invalid-policy", lastError: message, lastErrorAt: now() });
    return { outcome: "invalid-policy", rotationId, message };
  }
  const policy = resolved.policy;
  const status: RotationStatus = { ...base, state: "ok", ...(stored?.lastVersion ? { lastVersion: stored.lastVersion } : {}), ...pick(stored) };
  let step: Step = "set";
  try {
    const changed = await rotator.reconcile?.(ctx(), policy);
    if (changed) {
      await record("set", "ok", changed);
      await deps.afterStep?.("set", job);
    }
    if (!intent) {
      const blocked = await rotator.blocked?.(ctx(), policy, object);
      // Key Vault would make the version itself later; a person asking now still gets one.
      if (blocked && !(blocked.outcome === "not-due" && job.trigger === "manual")) {
        // Stored, so the sweep does not ask again about this version under this policy.
        const decided = decisionFor(blocked.outcome, rotator, policy, object, deps.clock.nowMs());
        await deps.status.put({ ...status, lastVersion: object.version, ...(decided ? { decided: JSON.stringify(decided) } : {}) });
        return { outcome: blocked.outcome, rotationId, message: blocked.reason };
      }
      // Key Vault warned (or a person asked): a new version now; on schedule only when the rotator says it is due.
      if (job.trigger === "schedule") {
        const due = rotator.due(policy, object, deps.clock.nowMs());
        if (!due.due) {
          await deps.status.put({ ...status, lastVersion: object.version, ...(due.nextDueAtMs ? { nextDueAt: new Date(due.nextDueAtMs).toISOString() } : {}) });
          return { outcome: "not-due", rotationId, message: changed ? `native policy updated; ${due.reason}` : due.reason };
        }
      }
      await deps.status.put({ ...status, intent: JSON.stringify({ rotationId, baseVersion: object.version, at: now() } satisfies NativeIntent) });
    }
    step = "create";
    if (!(await rotator.inFlight(ctx()))) {
      const asked = await rotator.start(ctx(), policy, object);
      await record("create", "ok", `${asked} (rotation ${rotationId})`);
      await deps.afterStep?.("create", job);
    }
    step = "finish";
    const made = await rotator.confirm(ctx());
    if (made.version === (intent?.baseVersion ?? object.version)) throw new Error(`Key Vault made no new version of ${noun} ${job.name}`);
    return await finish(deps, job, rotator, record, base, rotationId, intent?.baseVersion ?? object.version, made, "rotated");
  } catch (error) {
    await record(step, "failed", ensureError(error).message);
    // The intent stays: the retry (or the sweep's resume, after the backoff) picks the rotation up where it stopped.
    const current = await deps.status.get(vault.target.name, job.name, job.kind);
    const before = { ...status, attempts: stored?.attempts ?? 0, ...(current?.intent ? { intent: current.intent } : {}) };
    await deps.status.put(failedAttempt(before, error, deps.maxAttempts, deps.clock.nowMs()));
    throw error;
  }
}

/** Status fields a native job keeps from the row it found. */
function pick(stored: RotationStatus | undefined): Partial<RotationStatus> {
  return stored?.lastSuccessAt ? { lastSuccessAt: stored.lastSuccessAt, ...(stored.lastRotationId ? { lastRotationId: stored.lastRotationId } : {}) } : {};
}

async function finish(
  deps: NativeJobDeps,
  job: RotationJob,
  rotator: NativeRotator,
  record: NativeRecorder,
  base: Pick<RotationStatus, "vault" | "name" | "kind" | "attempts">,
  rotationId: string,
  previousVersion: string,
  made: NativeObject,
  outcome: "rotated" | "already-rotated",
): Promise<NativeJobResult> {
  // A run killed after its finish row left the intent: its rerun closes it without a second row.
  const rows = outcome === "already-rotated" ? await deps.history.list({ vault: base.vault, name: base.name }) : [];
  if (!rows.some((r) => r.rotationId === rotationId && r.step === "finish" && r.outcome === "ok" && r.version === made.version)) {
    await record("finish", "ok", `${rotator.verb}: version ${made.version} replaces ${previousVersion}`, { version: made.version, previousVersion });
    await deps.afterStep?.("finish", job);
  }
  const at = new Date(deps.clock.nowMs()).toISOString();
  await deps.status.put({ ...base, state: "ok", lastSuccessAt: at, lastVersion: made.version, lastRotationId: rotationId });
  deps.log(`${rotator.verb} ${base.vault}/${base.name}: version ${made.version} (${job.trigger})`);
  const verb = rotator.kind === "certificate" ? "renewed" : "rotated";
  return { outcome, rotationId, message: `${verb} to version ${made.version}`, version: made.version };
}
