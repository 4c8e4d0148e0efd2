/**
 * @module A failed rotation's status, the same for secrets, keys and certificates: attempts counted, the next
 * attempt backed off (1 min doubling, at most 1 h), and after the maximum attempts `failed`, tried again by
 * the sweep only after a day's cool-down.
 */
import { ensureError } from "../common/errors.js";
import type { RotationStatus } from "./status.js";

const MAX_BACKOFF_MS = 3_600_000;
const FAILED_COOLDOWN_MS = 24 * 3_600_000;

/** The status row after one more failed attempt of `status`'s rotation. */
export function failedAttempt(status: RotationStatus, error: unknown, maxAttempts: number, nowMs: number): RotationStatus {
  const attempts = status.attempts + 1;
  const failed = attempts >= maxAttempts;
  const wait = failed ? FAILED_COOLDOWN_MS : Math.min(MAX_BACKOFF_MS, 60_000 * 2 ** (attempts - 1));
  return {
    ...status,
    state: failed ? "failed" : "failing",
    attempts,
    lastError: ensureError(error).message,
    lastErrorAt: new Date(nowMs).toISOString(),
    nextAttemptAt: new Date(nowMs + wait).toISOString(),
  };
}
