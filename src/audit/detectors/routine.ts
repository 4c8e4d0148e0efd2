/**
 * @module Each principal's learned routine of sensitive operations on a vault: which operations it runs, on
 * which objects (those it created, and names of the shapes it creates or works on: `backup-20260112` and
 * `backup-20260113` are both `backup-#`), and at which hours of the day. Kept in the baseline so it spans
 * scans and forgets what fell out of the window: a job that stopped is no longer routine.
 */
import { dayOf, type Baseline } from "../baseline.js";
import type { AuditRecord } from "../record.js";

/** Operations that create an object (what a principal made it may also remove). */
export const CREATES = new Set([
  "SecretSet",
  "SecretRestore",
  "KeyCreate",
  "KeyImport",
  "KeyRestore",
  "CertificateCreate",
  "CertificateImport",
  "CertificateRestore",
]);

const DIGIT = /[0-9]/;

/** A name with its variable parts (runs of digits and hex holding a digit) replaced by `#`. */
export function nameShape(name: string): string {
  return DIGIT.test(name) ? name.replace(/[0-9a-f]*[0-9][0-9a-f]*/g, "#") : name;
}

export interface RoutineVerdict {
  routine: boolean;
  /** The principal created this very object in the window (its name has no variable part). */
  createdIt: boolean;
  /** It creates objects of this name shape. */
  createsShape: boolean;
  /** Earlier days in the window it ran this operation on objects of this shape. */
  daysOnShape: number;
  /** Earlier days in the window it ran this operation on objects it created. */
  daysOnOwn: number;
  usualHour: boolean;
}

export class Routines {
  /**
   * @param scope - prefixes the keys of what `judge` learns, so two detectors judging the same record (a
   * KeyPurge is destructive and key material) each learn it once; what was created is shared
   */
  constructor(
    readonly baseline: Baseline,
    private readonly minDays: number,
    private readonly scope = "",
  ) {}

  /**
   * Learns that the record's principal created its object, by name shape (a name without digits is its
   * own shape, so that is the object itself).
   */
  created(r: AuditRecord, principal: string): void {
    const o = r.object;
    if (o) this.baseline.touchPair(`rc|${r.vault.name}|${principal}|${o.type}/${nameShape(o.name)}`, dayOf(r.timeMs));
  }

  /** Judges a sensitive operation against the routine learned before it, then learns it. */
  judge(r: AuditRecord, principal: string, hourTolerance = 1): RoutineVerdict {
    const o = r.object;
    const day = dayOf(r.timeMs);
    const prefix = `${r.vault.name}|${principal}|${r.operation}`;
    const shape = o ? `${o.type}/${nameShape(o.name)}` : "(vault)";
    const createsShape = o !== undefined && this.baseline.pairs.has(`rc|${r.vault.name}|${principal}|${shape}`);
    const createdIt = createsShape && nameShape(o.name) === o.name;
    const scope = this.scope;
    const daysOnShape = this.#daysBefore(`${scope}rd|${prefix}|${shape}`, day);
    const daysOnOwn = this.#daysBefore(`${scope}rdo|${prefix}`, day);
    const hour = new Date(r.timeMs).getUTCHours();
    let usualHour = false;
    for (let h = hour - hourTolerance; h <= hour + hourTolerance && !usualHour; h++)
      usualHour = this.baseline.seen.has(`${scope}rh|${prefix}|${(h + 24) % 24}`);
    const routine = usualHour && (daysOnShape >= this.minDays || ((createdIt || createsShape) && daysOnOwn >= this.minDays));
    // Learn after judging, so a record is compared with what came before it.
    this.baseline.series(`${scope}rd|${prefix}|${shape}`).set(day, 1);
    if (createdIt || createsShape) this.baseline.series(`${scope}rdo|${prefix}`).set(day, 1);
    this.baseline.see(`${scope}rh|${prefix}|${hour}`, r.timeMs, r.timeMs);
    return { routine, createdIt, createsShape, daysOnShape, daysOnOwn, usualHour };
  }

  /**
   * What the principal usually does with this operation on the vault, for a finding: the name shapes it
   * did it on and the hours, without what the judged record itself just taught (per its verdict).
   */
  describe(
    vault: string,
    principal: string,
    operation: string,
    judged: { record: AuditRecord; verdict: RoutineVerdict },
  ): { shapes: string[]; hoursUtc: number[] } {
    const prefix = `${vault}|${principal}|${operation}|`;
    const shapeKeys = `${this.scope}rd|${prefix}`;
    const hourKeys = `${this.scope}rh|${prefix}`;
    const o = judged.record.object;
    const own = `${o ? `${o.type}/${nameShape(o.name)}` : "(vault)"}`;
    const hour = new Date(judged.record.timeMs).getUTCHours();
    const shapes: string[] = [];
    const hours: number[] = [];
    for (const key of this.baseline.daily.keys()) {
      if (!key.startsWith(shapeKeys)) continue;
      const shape = key.slice(shapeKeys.length);
      if (shape !== own || judged.verdict.daysOnShape > 0) shapes.push(shape);
    }
    for (const key of this.baseline.seen.keys()) {
      if (!key.startsWith(hourKeys)) continue;
      const h = Number(key.slice(hourKeys.length));
      if (h !== hour || judged.verdict.usualHour) hours.push(h);
    }
    return { shapes: shapes.sort(), hoursUtc: hours.sort((a, b) => a - b) };
  }

  /** Days before `day` in the window on which the series holds something. */
  #daysBefore(key: string, day: number): number {
    const series = this.baseline.daily.get(key);
    if (!series) return 0;
    let n = 0;
    for (const d of series.keys()) if (d < day && d >= day - this.baseline.windowDays) n++;
    return n;
  }
}

/** Why an act is outside the routine, in words for a finding. */
export function outsideRoutine(v: RoutineVerdict, minDays: number): string {
  const reasons: string[] = [];
  if (!v.createdIt && !v.createsShape && v.daysOnShape < minDays)
    reasons.push("it did not create this object and does not routinely work on names of its shape");
  else if (v.daysOnShape < minDays && v.daysOnOwn < minDays) reasons.push(`it has done this on only ${Math.max(v.daysOnShape, v.daysOnOwn)} earlier day(s)`);
  if (!v.usualHour) reasons.push("not at an hour it usually does this");
  return reasons.join("; ");
}

/** What the principal usually does with the operation (from `describe`), in words for a finding. */
export function habit(operation: string, usual: { shapes: string[]; hoursUtc: number[] }): string {
  return usual.shapes.length > 0
    ? `it usually runs ${operation} on ${usual.shapes.join(", ")} at ${usual.hoursUtc.map((h) => `${h}h`).join(", ")} UTC`
    : `it had not run ${operation} on this vault in the window`;
}
