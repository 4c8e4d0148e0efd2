/**
 * @module What the "new term for a known principal" detectors share (unusual operation, client, network):
 * a term the principal had not used in the window counts only once the principal itself has history, and
 * the first finding of a day lists the terms it usually uses.
 */
import type { AuditRecord } from "../record.js";
import type { StepContext } from "./detector.js";
import { WINDOW } from "./operations.js";

/**
 * Records the sighting of `termKey` and of the principal (`knownKey`), and says whether the term is new while
 * the principal has been seen for at least the detector's `minHistoryDays`.
 */
export function isNewTermForKnownPrincipal(ctx: StepContext, r: AuditRecord, today: number, termKey: string, knownKey: string): boolean {
  const isNew = ctx.baseline.see(termKey, today, r.timeMs);
  const since = ctx.baseline.firstSeenThenTouch(knownKey, r.timeMs);
  return isNew && since !== undefined && r.timeMs - since >= ctx.thresholds.minHistoryDays! * WINDOW.day;
}

/** The terms seen under `prefix` other than `except`, for a finding's baseline. */
export function usualTerms(ctx: StepContext, prefix: string, except: string): string[] {
  const terms: string[] = [];
  for (const k of ctx.baseline.seen.keys()) if (k.startsWith(prefix) && k !== except) terms.push(k.slice(prefix.length));
  return terms;
}

/** True once per subject and day: the baseline is described in a finding's first record, not in each. */
export class FirstPerDay {
  readonly #described = new Set<string>();

  first(subject: string, day: number): boolean {
    const key = `${subject}|${day}`;
    if (this.#described.has(key)) return false;
    this.#described.add(key);
    return true;
  }
}
