/**
 * @module Access grants and their context, shared by the detectors that judge what a newly granted principal
 * does: who granted it, and whether at an hour usual for the granter (its learned hour-of-week profile). An
 * ordinary onboarding (a known administrator, in its usual hours) and an attacker's grant (at night, or by a
 * principal with no history) look alike in the grant record alone; this is what separates them. Kept in
 * the baseline, so a grant in one scan still counts in the next.
 */
import { dayOf } from "../baseline.js";
import { principalKey, type AuditRecord } from "../record.js";
import type { StepContext } from "./detector.js";
import { hourOfWeek, neighbourhood } from "./initial_access_off_hours.js";

/** Events the granter's profile must hold before its hours are trusted. */
const MIN_PROFILE_EVENTS = 50;

export interface Grant {
  at: number;
  /** A granter with an established profile, granting at an hour it is usually active. */
  usual: boolean;
}

/**
 * Learns the grants a successful VaultPut/VaultPatch made (the object ids it added), with their context.
 * Idempotent: every detector that needs grants may call it.
 */
export function noteGrants(r: AuditRecord, ctx: Pick<StepContext, "baseline" | "benign">): void {
  const added = r.policyChange?.added;
  if (!added || added.length === 0) return;
  const profile = ctx.baseline.weekProfile(principalKey(r.principal), dayOf(r.timeMs));
  const total = profile.reduce((a, b) => a + b, 0);
  const usual = ctx.benign || (total >= MIN_PROFILE_EVENTS && neighbourhood(profile, hourOfWeek(r.timeMs)) > 0);
  for (const oid of added) {
    const id = oid.toLowerCase();
    ctx.baseline.see(`gr|${r.vault.name}|${id}`, r.timeMs, r.timeMs);
    if (usual) ctx.baseline.see(`gru|${r.vault.name}|${id}`, r.timeMs, r.timeMs);
    else ctx.baseline.seen.delete(`gru|${r.vault.name}|${id}`);
  }
}

/** The latest grant to `principal` on the vault within `withinMs` before `nowMs`, if any. */
export function grantOf(ctx: Pick<StepContext, "baseline">, vault: string, principal: string, nowMs: number, withinMs: number): Grant | undefined {
  const id = principal.toLowerCase();
  const seen = ctx.baseline.seen.get(`gr|${vault}|${id}`);
  if (!seen || nowMs - seen[1] > withinMs || seen[1] > nowMs) return undefined;
  return { at: seen[1], usual: ctx.baseline.seen.has(`gru|${vault}|${id}`) };
}

/** How a grant reads in a finding. */
export function describeGrant(grant: Grant | undefined): string {
  if (!grant) return "no access grant to it was seen";
  return `granted ${new Date(grant.at).toISOString().slice(0, 16)}Z ${grant.usual ? "by an established principal in its usual hours" : "by a principal outside its usual hours or with little history"}`;
}
