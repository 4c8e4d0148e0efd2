/**
 * @module Alerts from the rotation engine: a rotation that failed (and whether kvguard will retry), one that
 * succeeded, and a near-expiry event for an object nothing will rotate. The engine and service call this
 * with what they have; no secret value ever reaches it (an error message is scrubbed of credential parts).
 */
import { randomUUID } from "node:crypto";
import { ensureError } from "../common/errors.js";
import { scrubSecrets } from "../config/redact.js";
import type { JobResult } from "../rotation/engine.js";
import type { RotationJob } from "../rotation/job.js";
import type { RotationStatus } from "../rotation/status.js";
import type { Alert } from "./alert.js";

const MAX_ERROR = 1000;

export type RotationInput =
  | { job: RotationJob; result: JobResult; at?: string }
  | {
      job: RotationJob;
      error: unknown;
      /** The object's status after the failure: attempts, and whether kvguard gave up (`failed`). */
      status?: RotationStatus;
      at?: string;
    };

/**
 * The alerts one rotation job's outcome raises (often none: not due, already rotated).
 * @param input - the job with its result, or with the error it threw
 * @example
 * try { alerts = alertsFromRotation({ job, result: await engine.run(job) }) }
 * catch (error) { alerts = alertsFromRotation({ job, error, status: await status.get(job.vault, job.name, objectKindOf(job)) }) }
 */
export function alertsFromRotation(input: RotationInput): Alert[] {
  const { job } = input;
  const at = input.at ?? new Date().toISOString();
  const object = { type: job.kind === "key" || job.kind === "certificate" ? job.kind : ("secret" as const), name: job.name };
  const base = { id: randomUUID(), vault: job.vault, object, at };
  const where = `${job.vault}/${job.name}`;
  if ("error" in input) {
    // Errors can be long (a stack of causes); an alert needs the gist.
    const full = scrubSecrets(ensureError(input.error).message, {});
    const message = full.length > MAX_ERROR ? `${full.slice(0, MAX_ERROR)}…` : full;
    const gaveUp = input.status?.state === "failed";
    const attempts = input.status?.attempts;
    return [
      {
        ...base,
        kind: "rotation-failed",
        severity: gaveUp ? "high" : "medium",
        dedupKey: `rotation-failed|${where}`.toLowerCase(),
        title: `Rotation of ${where} failed${gaveUp ? ": kvguard gave up" : ""}`,
        ...(attempts ? { count: attempts } : {}),
        explanation: gaveUp
          ? `The ${job.trigger} rotation failed ${attempts ?? "several"} times and will not be retried before the next due time. The live version still holds the previous credential. Last error: ${message}`
          : `The ${job.trigger} rotation failed${attempts ? ` (attempt ${attempts})` : ""}; kvguard retries with backoff. The live version still holds the previous credential. Error: ${message}`,
      },
    ];
  }
  const { result } = input;
  switch (result.outcome) {
    case "rotated":
      return [
        {
          ...base,
          kind: "rotation-succeeded",
          severity: "info",
          dedupKey: `rotated|${result.rotationId}`,
          title: object.type === "certificate" ? `Renewed certificate ${where}` : `Rotated ${where}`,
          explanation:
            object.type === "certificate"
              ? `The ${job.trigger} renewal had Key Vault issue version ${result.version ?? "(unknown)"} from the certificate's policy (rotation ${result.rotationId}); Key Vault would not have renewed it by itself.`
              : `The ${job.trigger} rotation made version ${result.version ?? "(unknown)"} live (rotation ${result.rotationId}). The previous credential stays valid through its grace period, then is revoked.${result.warning ? ` Warning: ${result.warning}.` : ""}`,
        },
      ];
    case "invalid-policy":
      return [
        {
          ...base,
          kind: "rotation-failed",
          severity: "medium",
          dedupKey: `rotation-failed|${where}`.toLowerCase(),
          title: `Rotation of ${where} cannot run: invalid policy`,
          explanation: `${result.message}. Fix the object's kvguard tags or its policy-file entry; nothing is rotated until then.`,
        },
      ];
    case "refused":
      return [
        {
          ...base,
          kind: "rotation-failed",
          severity: "high",
          dedupKey: `rotation-refused|${where}`.toLowerCase(),
          title: `Rotation of ${where} refused: a target the operator did not allow`,
          explanation: `${result.message}. Nothing was changed at any target. If the target is legitimate, the operator adds the binding; otherwise someone steered this secret's tags.`,
        },
      ];
    case "no-policy":
      // Only Key Vault's expiry warning makes a missing policy worth an alert: the credential will lapse.
      if (job.trigger !== "event") return [];
      return [
        {
          ...base,
          kind: "near-expiry-without-policy",
          severity: /Expired$/.test(job.eventType ?? "") ? "high" : "medium",
          dedupKey: `near-expiry|${where}`.toLowerCase(),
          title: /Expired$/.test(job.eventType ?? "") ? `${where} has expired and has no rotation policy` : `${where} nears expiry and has no rotation policy`,
          explanation: `Key Vault raised ${job.eventType ?? "an expiry event"}, but no kvguard-rotator tag or policy-file entry covers this ${object.type}, so nothing will rotate it. Add a policy, or rotate it by hand before it expires.`,
        },
      ];
    default:
      return [];
  }
}
