/**
 * @module The audit-aware revoke gate. A previous credential whose grace period has ended is revoked only
 * when every consumer the audit log shows reading the secret in the baseline window before its rotation has
 * since read the new version, or when the maximum grace has passed (then revoked anyway, or held, as the
 * operator chose). Each consumer still on the old credential past the grace is alerted once by name.
 *
 * Everything the decision needs is in the status row (when the rotation finished, the version it made live,
 * who was already alerted, since when it is held) and the audit log, so a run killed anywhere decides again
 * from the same inputs. Who read what reaches the gate through a port the app builds over its audit sources:
 * without one the fixed grace applies; a read that fails never revokes early.
 */
import { DAY_MS, parseDurationSeconds } from "../common/duration.js";
import { ensureError } from "../common/errors.js";
import type { RevokeAtMax, RevokeConfig } from "../config/revokeSettings.js";
import type { PolicyFileEntry } from "./policyFile.js";
import type { PendingRevoke } from "./status.js";

/** One principal seen reading the secret in the window asked for. */
export interface ConsumerSeen {
  /** Stable id (object id, else app id, else UPN): what "alerted once" is kept by. */
  key: string;
  /** A readable name for alerts and history. */
  label: string;
  firstReadMs: number;
  /** Every version it was served in the window. */
  versions: string[];
}

/** Who read a secret or key, from the configured audit sources; throws when a source failed or answered in part. */
export interface ConsumerReads {
  read(target: { vault: string; type: "secrets" | "keys"; name: string }, window: { sinceMs: number; nowMs: number }): Promise<ConsumerSeen[]>;
}

/** What the gate tells alerting: a consumer still on the old credential past the grace, or a revoke held at the maximum. */
export type RevokeGateEvent =
  | { kind: "lagging"; vault: string; name: string; oldVersion: string; rotatedAt: string; consumer: string; consumerKey: string; sinceRotation: string }
  | { kind: "held"; vault: string; name: string; oldVersion: string; rotatedAt: string; consumers: string[]; maxGrace: string };

/** The gate's last look at a secret's consumers, kept in its status row (`consumers`) for status and reports. */
export interface ConsumerCounts {
  at: string;
  /** `audit`: counted; `none`: no audit source (fixed grace); `failed`: the audit log could not be read. */
  source: "audit" | "none" | "failed";
  consumers?: number;
  /** Consumers seen before the rotation that have not read the new version. */
  onOldVersion?: number;
  /** Audit reads that failed in a row (reset by one that works), and the last failure. */
  readFailures?: number;
  lastFailure?: string;
}

export interface RevokeGateDeps {
  settings: RevokeConfig;
  /** Absent when no audit source is configured: every revoke waits the fixed grace only. */
  reads?: ConsumerReads;
  /** Told once per lagging consumer and once per held revoke; it must not throw (the app's notifier does not). */
  notify?(event: RevokeGateEvent): Promise<void>;
}

export interface GateInput {
  vault: string;
  name: string;
  /** Pending revokes whose normal grace has ended. */
  due: PendingRevoke[];
  /** The live version now: a read of it counts as switched too. */
  liveVersion?: string;
  nowMs: number;
  /** The operator's policy-file entry for the secret: its `revoke` overrides the settings. */
  entry?: PolicyFileEntry;
  /** The previous look (status `consumers`), for the run of failed reads. */
  previous?: ConsumerCounts;
  /** A history row for the revoke step (why it waits or holds). */
  record(message: string): Promise<void>;
}

export interface GateResult {
  /** Revoke these now; `why` goes into history. */
  revoke: { entry: PendingRevoke; why: string }[];
  /** These wait (their gate state updated). */
  keep: PendingRevoke[];
  counts: ConsumerCounts;
}

const HOUR_MS = 3_600_000;
/** How long a waiting revoke rests before the audit log is read for it again. */
const RECHECK_MS = 5 * 60_000;

function elapsed(ms: number): string {
  if (ms >= DAY_MS) {
    const days = Math.floor(ms / DAY_MS);
    return `${days} day${days === 1 ? "" : "s"}`;
  }
  if (ms >= HOUR_MS) {
    const hours = Math.floor(ms / HOUR_MS);
    return `${hours} hour${hours === 1 ? "" : "s"}`;
  }
  const minutes = Math.max(1, Math.floor(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** The settings, with the policy-file entry's `revoke` fields over them (checked when the file was read). */
function effective(settings: RevokeConfig, entry: PolicyFileEntry | undefined): { baselineMs: number; maxGraceMs: number; atMax: RevokeAtMax } {
  const own = entry && !entry.invalid ? entry.revoke : undefined;
  return {
    baselineMs: (own?.baselineWindow ? parseDurationSeconds(own.baselineWindow) : settings.baselineSeconds) * 1000,
    maxGraceMs: (own?.maxGrace ? parseDurationSeconds(own.maxGrace) : settings.maxGraceSeconds) * 1000,
    atMax: own?.atMaxGrace ?? settings.atMaxGrace,
  };
}

/** Without a gate (no app wiring): every revoke past its grace goes, as before the gate existed. */
export function fixedGrace(due: PendingRevoke[], nowMs: number): GateResult {
  return {
    revoke: due.map((entry) => ({ entry, why: "grace period ended (fixed grace)" })),
    keep: [],
    counts: { at: new Date(nowMs).toISOString(), source: "none" },
  };
}

export class RevokeGate {
  constructor(readonly deps: RevokeGateDeps) {}

  /** Whether revokes wait for consumers at all (status says so once when they do not). */
  get auditAware(): boolean {
    return this.deps.reads !== undefined;
  }

  async decide(input: GateInput): Promise<GateResult> {
    const { reads } = this.deps;
    if (!reads) {
      const fixed = fixedGrace(input.due, input.nowMs);
      fixed.revoke.forEach((r) => (r.why = "grace period ended; no audit source is configured, so kvguard cannot see consumers (fixed grace)"));
      return fixed;
    }
    const at = new Date(input.nowMs).toISOString();
    const limits = effective(this.deps.settings, input.entry);
    const result: GateResult = { revoke: [], keep: [], counts: { at, source: "audit", consumers: 0, onOldVersion: 0 } };
    let failure: string | undefined;
    for (const entry of input.due) {
      if (!entry.rotatedAt || !entry.newVersion) {
        // A row from before the gate: when its rotation finished is not known, so its grace is all there is.
        result.revoke.push({ entry, why: "grace period ended (rotated before kvguard recorded rotation times: fixed grace)" });
        continue;
      }
      const rotatedMs = Date.parse(entry.rotatedAt);
      const maxAt = Math.max(rotatedMs + limits.maxGraceMs, Date.parse(entry.at));
      const atMax = input.nowMs >= maxAt;
      let lagging: ConsumerSeen[];
      try {
        const seen = await reads.read(
          { vault: input.vault.toLowerCase(), type: "secrets", name: input.name.toLowerCase() },
          { sinceMs: rotatedMs - limits.baselineMs, nowMs: input.nowMs },
        );
        const current = new Set([entry.newVersion, ...(input.liveVersion ? [input.liveVersion] : [])]);
        const baseline = seen.filter((c) => c.firstReadMs < rotatedMs);
        lagging = baseline.filter((c) => !c.versions.some((v) => current.has(v)));
        result.counts.consumers = Math.max(result.counts.consumers ?? 0, seen.length);
        result.counts.onOldVersion = Math.max(result.counts.onOldVersion ?? 0, lagging.length);
        if (lagging.length === 0) {
          result.revoke.push({
            entry,
            why:
              baseline.length === 0
                ? "grace period ended; no consumer read the secret in the baseline window before the rotation"
                : `all ${baseline.length} consumer${baseline.length === 1 ? "" : "s"} seen before the rotation read the new version`,
          });
          continue;
        }
      } catch (error) {
        failure = ensureError(error).message.split("\n")[0]!.slice(0, 300);
        if (!atMax) {
          // Never early on a failed read: the next sweep asks again.
          result.keep.push(entry);
          continue;
        }
        lagging = [];
      }
      const names = lagging.map((c) => c.label);
      if (atMax) {
        const still = failure && lagging.length === 0 ? `the audit log could not be read (${failure})` : `still on it: ${names.join(", ")}`;
        if (limits.atMax === "revoke") {
          result.revoke.push({ entry, why: `maximum grace (${elapsed(limits.maxGraceMs)}) reached; revoked anyway, ${still}` });
          continue;
        }
        if (!entry.heldAt) {
          await input.record(`revoke of version ${entry.version} held at maximum grace (${elapsed(limits.maxGraceMs)}): ${still}`);
          await this.deps.notify?.({
            kind: "held",
            vault: input.vault,
            name: input.name,
            oldVersion: entry.version,
            rotatedAt: entry.rotatedAt,
            consumers: names,
            maxGrace: elapsed(limits.maxGraceMs),
          });
        }
        result.keep.push(await this.#alert(input, { ...entry, heldAt: entry.heldAt ?? at }, lagging));
        continue;
      }
      result.keep.push(await this.#alert(input, entry, lagging, maxAt));
    }
    const checkAt = new Date(input.nowMs + RECHECK_MS).toISOString();
    result.keep = result.keep.map((entry) => ({ ...entry, checkAt }));
    if (failure) {
      result.counts = {
        at,
        source: "failed",
        readFailures: (input.previous?.source === "failed" ? (input.previous.readFailures ?? 0) : 0) + 1,
        lastFailure: failure,
      };
    }
    return result;
  }

  /** Alerts (and records) each lagging consumer not alerted before; the entry comes back with them added. */
  async #alert(input: GateInput, entry: PendingRevoke, lagging: ConsumerSeen[], maxAt?: number): Promise<PendingRevoke> {
    const alerted = new Set(entry.alerted ?? []);
    const fresh = lagging.filter((c) => !alerted.has(c.key));
    if (fresh.length === 0) return entry;
    const since = elapsed(input.nowMs - Date.parse(entry.rotatedAt!));
    for (const c of fresh) {
      const until = maxAt === undefined ? "" : `; the revoke waits until ${new Date(maxAt).toISOString()} at the latest`;
      await input.record(`${c.label} has not read the new version of ${input.vault}/${input.name} ${since} after rotation${until}`);
      await this.deps.notify?.({
        kind: "lagging",
        vault: input.vault,
        name: input.name,
        oldVersion: entry.version,
        rotatedAt: entry.rotatedAt!,
        consumer: c.label,
        consumerKey: c.key,
        sinceRotation: since,
      });
      alerted.add(c.key);
    }
    return { ...entry, alerted: [...alerted] };
  }
}

/** Said once by `kvguard status` and the status page when revokes cannot wait for consumers. */
export const FIXED_GRACE_NOTE =
  "revoke: no audit source is configured, so kvguard cannot see who still reads a previous credential; each is revoked when its grace period ends (fixed grace). Set KVGUARD_AUDIT_FOLDER, KVGUARD_AUDIT_ARCHIVE_ACCOUNT or KVGUARD_AUDIT_WORKSPACE_IDS to wait for consumers";

/** The gate's last counts from a status row (`consumers`), if it has looked. */
export function consumerCounts(status: { consumers?: string }): ConsumerCounts | undefined {
  return status.consumers ? (JSON.parse(status.consumers) as ConsumerCounts) : undefined;
}

/** One line's worth of the counts, for `kvguard status`. */
export function consumerText(counts: ConsumerCounts | undefined): string {
  if (!counts || counts.source === "none") return "";
  if (counts.source === "failed") return `consumers: audit log unreadable (${counts.readFailures ?? 1} failed read(s): ${counts.lastFailure ?? "unknown"})`;
  return `consumers ${counts.consumers ?? 0} (${counts.onOldVersion ?? 0} on the old version)`;
}
