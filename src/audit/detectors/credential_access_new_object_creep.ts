/**
 * @module Low and slow under a known identity: a principal with history on a vault reading objects it never
 * read before, a few a day, over days. No hour holds enough for mass retrieval and the address is its
 * usual one, so only the count accumulated over a sliding window, against the principal's own history of
 * new objects, shows it.
 */
import { dayOf, type Baseline } from "../baseline.js";
import { isSuccess, objectKey, principalKey, type AuditRecord } from "../record.js";
import { who } from "../finding.js";
import type { Detector, StepContext } from "./detector.js";
import { OBJECT_READS, WINDOW } from "./operations.js";

/** Correlation ids of new-object reads kept per principal and vault, for the finding's evidence. */
const EVIDENCE_KEPT = 20;

interface Subject {
  /** `vault|principal`. */
  subject: string;
  /** Its baseline keys (first seen, new objects per day), built once. */
  firstKey: string;
  seriesKey: string;
  /** The day number `first` and `series` were looked up. */
  day: number;
  first: number | undefined;
  /** New objects per day. */
  series: Map<number, number>;
  /** For the day: new objects on the window's earlier days, and what the history before the window gives. */
  earlier: number;
  expected: number;
  /** The new-object reads in the sliding window, oldest first. */
  kept: { day: number; cid: string }[];
}

/**
 * A principal with an object it read, kept across days: its baseline key (built once), the subject it
 * counts for, and what the baseline would hold for it. The baseline is written when the pair is forgotten
 * and at the end of the run, not on every day's first read: a read then costs two lookups, its first of
 * the day no more.
 */
interface Pair {
  key: string;
  /** Where it is kept (principal, its map of pairs, object), to forget it. */
  principal: string;
  owner: Map<string, Pair>;
  object: string;
  subject: Subject;
  /** The day of the read last looked at (the memo: a later read that day returns at once). */
  day: number;
  /** The latest day it was read: the pairing's value in the baseline. */
  last: number;
  /** The baseline's day (of its latest record) when it was last read: a prune since may have forgotten it. */
  epoch: number;
}
export const detector: Detector = {
  id: "credential_access_new_object_creep",
  name: "Slow accumulation of new objects",
  tactic: "credential_access",
  severity: "medium",
  description:
    "A principal with history on a vault reads, over a sliding window of days, more objects it had never read than its own history of new objects explains.",
  rationale:
    "A stolen app credential used from the app's own network, reading two or three secrets a day it never needed, stays under every per-hour and per-address detector. Apps read a fixed set of objects, so the objects new to a principal are counted per day; over the last `slideDays` days they must stay under `minNewObjects` and `factor` times what the principal's earlier days in the baseline window would give over as many days. A scanner that reads every new secret each week has that in its history; a deploy adding one secret a week stays under the floor.",
  falsePositives: ["An app given new duties (new secrets to read) over several days", "A person starting work on a new project"],
  references: ["issue 18: low-and-slow under a known identity", "Elastic new terms on principal + object"],
  thresholds: {
    slideDays: { value: 7, description: "days of the sliding window new objects are summed over" },
    minNewObjects: { value: 6, description: "new objects in the sliding window below which nothing is flagged" },
    factor: { value: 3, description: "times the new objects the principal's history would give over the sliding window" },
    minHistoryDays: { value: 3, description: "days the principal must have been seen on the vault" },
  },
  usesBaseline: true,
  handles: (operation) => OBJECT_READS.has(operation),
  create: () => {
    /** principal → object (`vault/type/name`, so the vault too) → the pair. */
    const pairs = new Map<string, Map<string, Pair>>();
    /** Day → the pairs read that day (a pair read again later is in several), so forgetting visits only the old days. */
    const byDay = new Map<number, Pair[]>();
    let pairsDay = Number.NaN;
    /** vault → principal → what is kept for it, looked up in the baseline once a day. */
    const subjects = new Map<string, Map<string, Subject>>();
    const subjectOf = (vault: string, principal: string): Subject => {
      let byPrincipal = subjects.get(vault);
      if (!byPrincipal) subjects.set(vault, (byPrincipal = new Map<string, Subject>()));
      let s = byPrincipal.get(principal);
      if (!s) {
        const subject = `${vault}|${principal}`;
        s = {
          subject,
          firstKey: `lk|${subject}`,
          seriesKey: `lon|${subject}`,
          day: -1,
          first: undefined,
          series: new Map(),
          kept: [],
          earlier: 0,
          expected: 0,
        };
        byPrincipal.set(principal, s);
      }
      return s;
    };
    return {
      step(r, ctx) {
        if (ctx.benign || !OBJECT_READS.has(r.operation) || !isSuccess(r) || !r.object) return;
        const principal = principalKey(r.principal);
        const object = objectKey(r)!;
        const day = Math.floor(r.timeMs / WINDOW.day);
        // Most reads are of an object the principal already read today: two map lookups.
        let byObject = pairs.get(principal);
        if (!byObject) pairs.set(principal, (byObject = new Map<string, Pair>()));
        let pair = byObject.get(object);
        if (pair?.day === day) return;
        const baseline = ctx.baseline;
        const epoch = dayOf(baseline.lastMs);
        let isNew: boolean;
        if (!pair) {
          const key = `lo|${principal}|${object}`;
          const stored = baseline.pairs.get(key);
          isNew = stored === undefined;
          pair = { key, principal, owner: byObject, object, subject: subjectOf(r.vault.name, principal), day, last: Math.max(stored ?? day, day), epoch };
          byObject.set(object, pair);
        } else {
          // Forgotten if a daily prune since it was last read found it older than the window.
          isNew = pair.epoch < epoch && pair.last < epoch - baseline.windowDays;
          pair.day = day;
          pair.last = isNew ? day : Math.max(pair.last, day);
          pair.epoch = epoch;
        }
        let readThatDay = byDay.get(day);
        if (!readThatDay) byDay.set(day, (readThatDay = []));
        readThatDay.push(pair);
        if (day !== pairsDay) {
          pairsDay = day;
          forgetOld(pairs, byDay, day - baseline.windowDays, baseline);
        }
        const s = pair.subject;
        const fromDay = day - ctx.thresholds.slideDays! + 1;
        if (s.day !== day) learnDay(s, day, fromDay, r.timeMs, ctx);
        // On a principal's first day (or the baseline's) every object is new: that is not a count to learn.
        if (isNew && s.first !== undefined && r.timeMs - s.first >= WINDOW.day) countNew(s, r, object, day, fromDay, ctx);
      },
      finish(ctx) {
        forgetOld(pairs, byDay, Infinity, ctx.baseline);
      },
    };
  },
};

/**
 * Once a day per subject: when the principal was first seen on the vault, the series again (the daily prune
 * may drop one), the window's earlier days and the history before the window.
 */
function learnDay(s: Subject, day: number, fromDay: number, timeMs: number, ctx: StepContext): void {
  s.day = day;
  s.first = ctx.baseline.firstSeenThenTouch(s.firstKey, timeMs);
  s.series = ctx.baseline.series(s.seriesKey);
  s.earlier = 0;
  for (let d = fromDay; d < day; d++) s.earlier += s.series.get(d) ?? 0;
  s.expected = ctx.baseline.history(s.seriesKey, fromDay).mean * (day - fromDay + 1);
}

/**
 * Counts a read of an object new to the principal and judges the window. Apart from the step: the step's
 * compiled code then stays valid when the baseline turns warm and this first reaches its judgement.
 */
function countNew(s: Subject, r: AuditRecord, object: string, day: number, fromDay: number, ctx: StepContext): void {
  const first = s.first!;
  const { subject, series, kept } = s;
  const todayCount = (series.get(day) ?? 0) + 1;
  series.set(day, todayCount);
  kept.push({ day, cid: r.correlationId });
  while (kept.length > 0 && (kept[0]!.day < fromDay || kept.length > EVIDENCE_KEPT)) kept.shift();
  if (!ctx.warm || r.timeMs - first < ctx.thresholds.minHistoryDays! * WINDOW.day) return;
  const sum = s.earlier + todayCount;
  const expected = s.expected;
  if (sum < ctx.thresholds.minNewObjects! || sum <= ctx.thresholds.factor! * expected) return;
  const slide = ctx.thresholds.slideDays!;
  const history = ctx.baseline.history(s.seriesKey, fromDay);
  ctx.emit({
    record: r,
    subject,
    windowMs: WINDOW.day,
    object,
    total: sum,
    evidence: kept.slice(0, -1).map((e) => e.cid),
    summary: `${who(r)} read ${sum} objects of vault ${r.vault.name} it had never read in the last ${slide} days (latest ${object}); its earlier history gives about ${expected.toFixed(1)} in as many days`,
    baseline: { newObjectsInWindow: sum, slideDays: slide, expectedFromHistory: Number(expected.toFixed(1)), daysOfHistory: history.days },
  });
}

/**
 * Forgets the pairs not read since `fromDay` (once a day, so pairs no longer read do not pile up), writing
 * into the baseline what it would hold for each: its latest day, or nothing when a prune since forgot it.
 * Only the days before `fromDay` are visited: a pair listed there but read since is kept.
 */
function forgetOld(pairs: Map<string, Map<string, Pair>>, byDay: Map<number, Pair[]>, fromDay: number, baseline: Baseline): void {
  const epoch = dayOf(baseline.lastMs);
  byDay.forEach((list, day) => {
    if (day >= fromDay) return;
    byDay.delete(day);
    for (const pair of list) {
      if (pair.day >= fromDay || pair.owner.get(pair.object) !== pair) continue;
      pair.owner.delete(pair.object);
      if (pair.epoch < epoch && pair.last < epoch - baseline.windowDays) baseline.pairs.delete(pair.key);
      else if ((baseline.pairs.get(pair.key) ?? -1) < pair.last) baseline.pairs.set(pair.key, pair.last);
      if (pair.owner.size === 0 && pairs.get(pair.principal) === pair.owner) pairs.delete(pair.principal);
    }
  });
}
