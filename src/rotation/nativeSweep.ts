/**
 * @module The sweep's part for keys and certificates: each native kind's objects (properties only) with their
 * policies; a job for each one whose rotation stopped midway (its intent is open), whose native policy kvguard
 * has not reconciled yet, or that its rotator says is due; none while a failed one backs off (backoff.ts), or
 * for a version already decided "leave it" (nativeDecision.ts). The key and secret backing a certificate are
 * the certificate's (`managed`): the certificate's renewal makes their new versions.
 */
import type { NativeClients, NativeKind, NativeObject } from "../rotators/native.js";
import type { Rotators } from "../rotators/rotators.js";
import { entriesFor, intentOf } from "./nativeJob.js";
import { stillDecided } from "./nativeDecision.js";
import { resolveNativePolicy } from "./nativePolicy.js";
import { matchEntry, type PolicyFile } from "./policyFile.js";
import type { RotationJob } from "./job.js";
import { objectKey, type RotationStatus } from "./status.js";

export interface NativeSweepSink {
  /** Counts an object of the kind listed. */
  counted(kind: NativeKind): void;
  job(kind: RotationJob["kind"], name: string, trigger: RotationJob["trigger"], baseVersion?: string): Promise<void>;
  noPolicy(object: string): void;
  invalid(kind: NativeKind, name: string, object: string, problems: string[]): Promise<void>;
  resumed(): void;
  /** An object left alone while its failed rotation backs off. */
  backingOff?(): void;
  /** An object with its expiry and when its rotation falls due (undefined: nothing makes it due), for the gauges. */
  seen?(kind: NativeKind, object: NativeObject, dueAtMs: number | undefined): void;
}

export async function sweepNative(
  rotators: Rotators,
  vault: NativeClients,
  file: PolicyFile,
  statuses: ReadonlyMap<string, RotationStatus>,
  nowMs: number,
  sink: NativeSweepSink,
): Promise<void> {
  for (const lister of rotators.nativeKinds()) {
    const kind = lister.kind;
    for await (const object of lister.list(vault)) {
      if (object.managed) continue;
      sink.counted(kind);
      const where = `${vault.target.name}/${kind}s/${object.name}`;
      const own = statuses.get(objectKey(kind, object.name));
      // A failed rotation keeps its intent: it is resumed once its backoff (backoff.ts) has passed.
      const backingOff = own?.nextAttemptAt !== undefined && Date.parse(own.nextAttemptAt) > nowMs;
      if (intentOf(own)) {
        if (backingOff) sink.backingOff?.();
        else {
          await sink.job(kind, object.name, "resume");
          sink.resumed();
        }
        continue;
      }
      const resolved = resolveNativePolicy(rotators, kind, object.tags, matchEntry(entriesFor(file, kind), vault.target.name, object.name));
      const due = resolved.kind === "policy" ? resolved.rotator.due(resolved.policy, object, nowMs) : undefined;
      sink.seen?.(kind, object, due === undefined ? undefined : due.due ? nowMs : due.nextDueAtMs);
      if (resolved.kind === "none") sink.noPolicy(where);
      else if (resolved.kind === "invalid") await sink.invalid(kind, object.name, where, resolved.problems);
      else if (backingOff) sink.backingOff?.();
      else if (stillDecided(own, resolved.rotator, resolved.policy, object, nowMs)) continue;
      else if ((resolved.rotator.reconcile && own?.state !== "ok") || due?.due) {
        // The version seen: a job that finds it replaced (another instance's sweep) makes no second one.
        await sink.job(kind, object.name, "schedule", object.version);
      }
    }
  }
}
