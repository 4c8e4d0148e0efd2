/**
 * @module A rotation job: what the sweep, the Event Grid function and the HTTP function hand the worker,
 * through the queue or directly. `baseVersion` is the live version when the trigger fired: a job whose
 * base is no longer current finds the secret already rotated, so simultaneous triggers rotate once.
 */
import { z } from "zod";
import { messageText } from "../state/queueWorker.js";
import type { ObjectKind } from "./status.js";

export const jobSchema = z
  .object({
    v: z.literal(1),
    kind: z.enum(["secret", "key", "certificate", "revoke"]),
    vault: z.string().min(1),
    name: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "is not a Key Vault object name"),
    trigger: z.enum(["schedule", "event", "manual", "resume"]),
    baseVersion: z.string().optional(),
    eventId: z.string().optional(),
    eventType: z.string().optional(),
    requestedAt: z.iso.datetime(),
    /** The trigger's trace (W3C traceparent); one that does not parse only starts a new trace. */
    traceparent: z.string().max(128).optional(),
  })
  .strict();

export type RotationJob = z.output<typeof jobSchema>;

/** The kind of Key Vault object a job acts on (a revoke acts on a secret's old version). */
export function objectKindOf(job: Pick<RotationJob, "kind">): ObjectKind {
  return job.kind === "revoke" ? "secret" : job.kind;
}

/** Queue messages are base64 JSON, as the Functions queue trigger reads them by default. */
export function encodeJob(job: RotationJob): string {
  return Buffer.from(JSON.stringify(job)).toString("base64");
}

export type JobParse = { ok: true; job: RotationJob } | { ok: false; error: string };

/** Accepts the decoded object (the Functions host decodes) or the raw base64 / JSON text. */
export function parseJob(input: unknown): JobParse {
  let data = input;
  if (typeof input === "string") {
    const text = messageText(input.trim());
    try {
      data = JSON.parse(text);
    } catch {
      return { ok: false, error: "the message is not JSON (nor base64 JSON)" };
    }
  }
  const parsed = jobSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `the message is not a rotation job: ${issue.path.join(".") || "message"}: ${issue.message}` };
  }
  return { ok: true, job: parsed.data };
}
