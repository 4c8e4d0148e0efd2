/**
 * @module Each principal's learned routine of sensitive operations on a vault: which operations it runs, on
 * which objects (those it created, and names of the shapes it creates or works on: `backup-20260112` and
 * `backup-20260113` are both `backup-#`), and at which hours of the day. Kept in the baseline so it spans
 * scans and forgets what fell out of the window: a job that stopped is no longer routine.
 */
import { dayOf, type Baseline } from "../baseline.js";
import type { AuditRecord } from "../record.js";
import { PairKeys } from "./dayMemo.js";

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

/** Shapes by name: names recur across the creates and deletes of a run, the regex then runs once each. */
const shapes = new Map<string, string>();

/** A name with its variable parts (runs of digits and hex holding a digit) replaced by `#`. */
export function nameShape(name: string): string {
  let shape = shapes.get(name);
  if (shape === undefined) {
    // Odd input with endless names must not grow the map without bound.
    if (shapes.size >= 100_000) shapes.clear();
    shapes.set(name, (shape = DIGIT.test(name) ? name.replace(/[0-9a-f]*[0-9][0-9a-f]*/g, "#") : name));
  }
  return shape;
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
  /** Principal and object → its creation key: a principal setting the same object again the same day teaches nothing new. */
  readonly #created = new PairKeys(7);

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
   * own shape, so that is the object itself), once a day per principal and object.
   * @param object - the record's `objectKey`
   */
  created(r: AuditRecord, principal: string, object: string): void {
    const o = r.object;
    if (!o) return;
    const day = dayOf(r.timeMs);
    const entry = this.#created.entry(day, principal, object);
    if (entry.day === day) return;
    entry.day = day;
    // Built once per pair, not on each day's first create.
    if (entry.key === "") entry.key = `rc|${r.vault.name}|${principal}|${o.type}/${nameShape(o.name)}`;
    this.baseline.touchPair(entry.key, day);
  }

  /** Judges a sensitive operation against the routine learned before it, then learns it. */
  judge(r: AuditRecord, principal: string, hourTolerance = 1): RoutineVerdict {
    const o = r.object;
    const day = dayOf(r.timeMs);
    const prefix = `${r.vault.name}|${principal}|${r.operation}`;
    const name = o ? nameShape(o.name) : "";
    const shape = o ? `${o.type}/${name}` : "(vault)";
    const createsShape = o !== undefined && this.baseline.pairs.has(`rc|${r.vault.name}|${principal}|${shape}`);
    const createdIt = createsShape && name === o.name;
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
