/**
 * @module A native job's stored "leave it alone" (`not-due`: Key Vault renews it itself; `cannot-renew`: only a
 * person can), kept in the status row with the version and kvguard policy it was decided for. The sweep
 * does not enqueue that object again while both are unchanged; events and on-demand requests still run. A
 * listing shows no version id, so the version is known by its created and expiry times. Key Vault's own
 * issuance policy (AutoRenew, issuer) is not in a listing either, so the sweep looks again once a day.
 */
import type { NativeObject, NativeRotator } from "../rotators/native.js";
import type { RotationStatus } from "./status.js";

const RECHECK_MS = 24 * 3_600_000;

export interface NativeDecision {
  outcome: "not-due" | "cannot-renew";
  /** The version decided for (shown), and its created/expiry times (what the sweep compares). */
  version: string;
  seen: string;
  /** The rotator and its parsed policy, as JSON: a changed tag or policy-file entry decides again. */
  policy: string;
  at: string;
}

/** A version as both a read and a listing show it; undefined when neither time is known. */
function seenOf(object: NativeObject): string | undefined {
  if (!object.createdOn && !object.expiresOn) return undefined;
  return `${object.createdOn?.toISOString() ?? ""}/${object.expiresOn?.toISOString() ?? ""}`;
}

function policyKey(rotator: NativeRotator, policy: unknown): string {
  return JSON.stringify([rotator.name, policy]);
}

export function decisionFor(
  outcome: NativeDecision["outcome"],
  rotator: NativeRotator,
  policy: unknown,
  object: NativeObject,
  nowMs: number,
): NativeDecision | undefined {
  const seen = seenOf(object);
  if (seen === undefined) return undefined;
  return { outcome, version: object.version, seen, policy: policyKey(rotator, policy), at: new Date(nowMs).toISOString() };
}

/** Whether the stored decision still holds for this version under this policy. */
export function stillDecided(status: RotationStatus | undefined, rotator: NativeRotator, policy: unknown, object: NativeObject, nowMs: number): boolean {
  if (!status?.decided) return false;
  let decision: NativeDecision;
  try {
    decision = JSON.parse(status.decided) as NativeDecision;
  } catch {
    return false;
  }
  return decision.seen === seenOf(object) && decision.policy === policyKey(rotator, policy) && Date.parse(decision.at) + RECHECK_MS > nowMs;
}
