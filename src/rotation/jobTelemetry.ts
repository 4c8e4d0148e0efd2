/**
 * @module A rotation job measured: one span per job (continuing the trace its trigger started, when the queue
 * message carried one), the rotations counter and the duration histogram by rotator and outcome. The engine
 * names the rotator (`noteRotator`) once it has resolved the policy; a job that never gets that far counts
 * under rotator `none`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Telemetry } from "../telemetry/port.js";
import type { JobResult } from "./engine.js";
import type { RotationJob } from "./job.js";
import { LockBusyError } from "./lock.js";

const running = new AsyncLocalStorage<{ rotator?: string }>();

/** Called by the engine when the job's rotator is known. */
export function noteRotator(name: string): void {
  const run = running.getStore();
  if (run) run.rotator = name;
}

export function measuredJob(telemetry: Telemetry, job: RotationJob, run: () => Promise<JobResult>, options: { fromQueue: boolean }): Promise<JobResult> {
  const note: { rotator?: string } = {};
  const started = performance.now();
  const finish = (outcome: string) => {
    const rotator = note.rotator ?? "none";
    telemetry.annotate({ "kvguard.rotator": rotator, "kvguard.outcome": outcome });
    telemetry.count("kvguard.rotations", 1, { rotator, outcome, trigger: job.trigger, kind: job.kind });
    telemetry.record("kvguard.rotation.duration", (performance.now() - started) / 1000, { rotator, outcome, kind: job.kind });
  };
  return telemetry.span(
    "kvguard.rotation",
    () =>
      running.run(note, async () => {
        try {
          const result = await run();
          finish(result.outcome);
          return result;
        } catch (error) {
          finish(error instanceof LockBusyError ? "lock-busy" : "failed");
          throw error;
        }
      }),
    {
      kind: options.fromQueue ? "consumer" : "internal",
      ...(options.fromQueue && job.traceparent ? { parent: job.traceparent } : {}),
      attributes: { "kvguard.vault": job.vault, "kvguard.object": job.name, "kvguard.job.kind": job.kind, "kvguard.job.trigger": job.trigger },
    },
  );
}
