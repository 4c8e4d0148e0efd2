/** @module When a secret is due: its rotation period after the current version, or N days before `exp`. */
import type { SecretPolicy } from "./policy.js";
import { isInWindow } from "./window.js";
import { DAY_MS } from "../common/duration.js";

export interface CurrentVersion {
  createdOn?: Date;
  expiresOn?: Date;
}

/** The time the current version falls due, or undefined when nothing makes it due (no period, no expiry). */
export function dueAtMs(policy: Pick<SecretPolicy, "rotateEverySeconds" | "rotateBeforeExpiryDays">, current: CurrentVersion): number | undefined {
  const candidates: number[] = [];
  if (policy.rotateEverySeconds !== undefined && current.createdOn) {
    candidates.push(current.createdOn.getTime() + policy.rotateEverySeconds * 1000);
  }
  if (current.expiresOn) candidates.push(current.expiresOn.getTime() - policy.rotateBeforeExpiryDays * DAY_MS);
  return candidates.length ? Math.min(...candidates) : undefined;
}

export type Decision = { due: true } | { due: false; reason: string; nextDueAtMs?: number };

/** Whether a scheduled or event-driven rotation should run now; a manual one always does. */
export function decide(policy: SecretPolicy, current: CurrentVersion, nowMs: number): Decision {
  const dueAt = dueAtMs(policy, current);
  if (dueAt === undefined) return { due: false, reason: "nothing makes it due: no rotation period and no expiry" };
  if (nowMs < dueAt) return { due: false, reason: `not due until ${new Date(dueAt).toISOString()}`, nextDueAtMs: dueAt };
  const expired = current.expiresOn !== undefined && nowMs >= current.expiresOn.getTime();
  // An expired credential is rotated at once; otherwise scheduled rotations wait for their window.
  if (policy.window && !expired && !isInWindow(policy.window, nowMs)) {
    return { due: false, reason: `due, waiting for the rotation window ${policy.window.text}`, nextDueAtMs: dueAt };
  }
  return { due: true };
}
