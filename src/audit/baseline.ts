/**
 * @module What the detectors learned about normal access, per vault, principal, IP, operation and client,
 * over a sliding window (default 14 days): when each pairing was first and last seen, daily series
 * (counts and peaks), each principal's events per hour of each day (read as an hour-of-week profile over
 * the window), each vault's last activity and settings, and the version history of each secret. Detectors
 * update it record by record (incrementally); it is saved as JSON between runs and checked with a schema
 * on load. While it is younger than its window it is warming up, and no "unusual" finding is made.
 */
import { z } from "zod";
import { DAY_MS } from "../common/duration.js";
import type { VaultConfig } from "./parse/fields.js";

export const HOUR_MS = 3_600_000;
/** Versions remembered per secret, newest last. */
const VERSIONS_KEPT = 10;

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The hour of the week a day starts at, 0 = Sunday 00:00 UTC (day 0, 1 January 1970, was a Thursday). */
export function weekHourOfDay(day: number): number {
  return ((day + 4) % 7) * 24;
}

export interface SeriesStats {
  /** Days of history the statistics cover (missing days count as 0). */
  days: number;
  max: number;
  mean: number;
  std: number;
}

/** An object seen in the audit records: when first seen (written or read) and last read by a consumer. */
export interface ObjectUse {
  firstMs: number;
  lastReadMs?: number;
}

export interface VaultState {
  lastMs: number;
  config?: VaultConfig;
}

const configValue = z.union([z.string(), z.number(), z.boolean()]);
export const baselineJson = z.object({
  version: z.literal(1),
  windowDays: z.number().int().positive(),
  startedMs: z.number().nullable(),
  lastMs: z.number(),
  seen: z.record(z.string(), z.tuple([z.number(), z.number()])),
  daily: z.record(z.string(), z.record(z.string(), z.number())),
  /** principal → day number → events per hour (a baseline saved before these existed loads without them). */
  hours: z.record(z.string(), z.record(z.string(), z.array(z.number()).length(24))).default({}),
  /** Pairings seen in great numbers (principal + object) → the last day number seen (added later: optional). */
  pairs: z.record(z.string(), z.number()).default({}),
  vaults: z.record(z.string(), z.object({ lastMs: z.number(), config: z.record(z.string(), configValue).optional() })),
  versions: z.record(z.string(), z.array(z.object({ v: z.string(), at: z.number() }))),
  /** Objects and their last read, kept beyond the window (added later: optional). */
  objects: z.record(z.string(), z.object({ firstMs: z.number(), lastReadMs: z.number().optional() })).default({}),
  /** vault → its first audit record (added later: optional). */
  coverage: z.record(z.string(), z.number()).default({}),
});
export type BaselineJson = z.infer<typeof baselineJson>;

export class Baseline {
  /** Time of the first record ever learned; null until one is. */
  startedMs: number | null = null;
  lastMs = 0;
  /** key → [first seen ms, last seen ms]. */
  readonly seen = new Map<string, [number, number]>();
  /** key → day number → value (a sum or a peak, as the detector decides). */
  readonly daily = new Map<string, Map<number, number>>();
  /** principal → day number → events per hour of that day (UTC), for the window's days. */
  readonly hours = new Map<string, Map<number, number[]>>();
  /**
   * Pairings far more numerous than `seen`'s (each principal with each object it reads, what it created) →
   * the last day number seen: a number, not a pair of times, so one costs a map slot and no allocation.
   */
  readonly pairs = new Map<string, number>();
  readonly vaults = new Map<string, VaultState>();
  /** `vault/secrets/name` → versions in the order they were created. */
  readonly versions = new Map<string, { v: string; at: number }[]>();
  /**
   * `vault/type/name` → its use. Not pruned with the window: whether an object was read in the last months
   * is the question; an object leaves when it is deleted.
   */
  readonly objects = new Map<string, ObjectUse>();
  /** vault → when its first audit record was seen: before that, nothing is known about who read what. */
  readonly coverage = new Map<string, number>();
  #prunedDay = -1;
  /** history() results by series, valid for the day they were asked for (only earlier days count). */
  readonly #history = new Map<string, { day: number; stats: SeriesStats }>();

  constructor(readonly windowDays = 14) {}

  /** Whether a record at `ms` comes after the warm-up (the first `windowDays` of history). */
  isWarm(ms: number, warmupDays = this.windowDays): boolean {
    return this.startedMs !== null && ms >= this.startedMs + warmupDays * DAY_MS;
  }

  /** Moves the clock; once a day, forgets what fell out of the window. */
  advance(ms: number): void {
    if (this.startedMs === null || ms < this.startedMs) this.startedMs = ms;
    if (ms > this.lastMs) this.lastMs = ms;
    const day = dayOf(this.lastMs);
    if (day !== this.#prunedDay) {
      this.#prunedDay = day;
      this.prune(this.lastMs);
    }
  }

  /**
   * Records that `key` was seen at `ms`, in one lookup, and says whether it is new since `sinceMs`.
   * @returns true when not seen before `sinceMs`
   */
  see(key: string, sinceMs: number, ms: number): boolean {
    const entry = this.seen.get(key);
    if (!entry) {
      this.seen.set(key, [ms, ms]);
      return true;
    }
    const isNew = entry[0] >= sinceMs;
    if (ms < entry[0]) entry[0] = ms;
    if (ms > entry[1]) entry[1] = ms;
    return isNew;
  }

  /**
   * Records that the pairing `key` was seen on day number `day`.
   * @returns true when it was not seen in the window before
   */
  touchPair(key: string, day: number): boolean {
    const last = this.pairs.get(key);
    if (last === undefined || day > last) this.pairs.set(key, day);
    return last === undefined;
  }

  /** When `key` was first seen (before this sighting), recording this one. */
  firstSeenThenTouch(key: string, ms: number): number | undefined {
    const entry = this.seen.get(key);
    if (!entry) {
      this.seen.set(key, [ms, ms]);
      return undefined;
    }
    const first = entry[0];
    if (ms < entry[0]) entry[0] = ms;
    if (ms > entry[1]) entry[1] = ms;
    return first;
  }

  /**
   * A daily series (day number → value), created when missing. Detectors may hold it for the current
   * day and write to it directly; they fetch it again on a new day, after the daily prune.
   */
  series(key: string): Map<number, number> {
    let series = this.daily.get(key);
    if (!series) this.daily.set(key, (series = new Map<number, number>()));
    return series;
  }

  peakDaily(key: string, day: number, value: number): void {
    const series = this.series(key);
    if (value > (series.get(day) ?? 0)) series.set(day, value);
  }

  /** Statistics of a daily series over the window days before `beforeDay`; computed once a day per series. */
  history(key: string, beforeDay: number): SeriesStats {
    const memo = this.#history.get(key);
    if (memo && memo.day === beforeDay) return memo.stats;
    const stats = this.#computeHistory(key, beforeDay);
    this.#history.set(key, { day: beforeDay, stats });
    return stats;
  }

  #computeHistory(key: string, beforeDay: number): SeriesStats {
    const series = this.daily.get(key);
    if (!series || series.size === 0) return { days: 0, max: 0, mean: 0, std: 0 };
    let firstDay = Infinity;
    for (const day of series.keys()) if (day < firstDay) firstDay = day;
    const from = Math.max(firstDay, beforeDay - this.windowDays);
    const days = beforeDay - from;
    if (days <= 0) return { days: 0, max: 0, mean: 0, std: 0 };
    let sum = 0;
    let squares = 0;
    let max = 0;
    for (let day = from; day < beforeDay; day++) {
      const v = series.get(day) ?? 0;
      sum += v;
      squares += v * v;
      if (v > max) max = v;
    }
    const mean = sum / days;
    return { days, max, mean, std: Math.sqrt(Math.max(0, squares / days - mean * mean)) };
  }

  /** A principal's events per hour of `day`, created when missing; the caller counts into it. */
  dayHours(principal: string, day: number): number[] {
    let days = this.hours.get(principal);
    if (!days) this.hours.set(principal, (days = new Map<number, number[]>()));
    let hours = days.get(day);
    if (!hours) days.set(day, (hours = new Array<number>(24).fill(0)));
    return hours;
  }

  /**
   * A principal's events per hour of the week (0 = Sunday 00:00 UTC) over the window's days before
   * `day` and `day` itself so far: each day's hours added at its weekday.
   */
  weekProfile(principal: string, day: number): number[] {
    const profile = new Array<number>(168).fill(0);
    this.hours.get(principal)?.forEach((hours, d) => {
      if (d > day || d < day - this.windowDays) return;
      const at = weekHourOfDay(d);
      for (let h = 0; h < 24; h++) profile[at + h]! += hours[h]!;
    });
    return profile;
  }

  addVersion(secret: string, version: string, at: number): void {
    let list = this.versions.get(secret);
    if (!list) this.versions.set(secret, (list = []));
    if (list.some((e) => e.v === version)) return;
    list.push({ v: version, at });
    list.sort((a, b) => a.at - b.at);
    if (list.length > VERSIONS_KEPT) list.splice(0, list.length - VERSIONS_KEPT);
  }

  /**
   * Forgets pairings, series days, hour counts and versions older than the window. Each map is walked by
   * its own small callback: run once a day over large maps, one loop body that grows a new path (a first
   * delete) is recompiled alone, not the whole walk.
   */
  prune(nowMs: number): void {
    const cutoff = nowMs - this.windowDays * DAY_MS;
    const cutoffDay = dayOf(cutoff);
    this.#history.clear();
    const seen = this.seen;
    seen.forEach((entry, key) => {
      if (entry[1] < cutoff) seen.delete(key);
    });
    const pairs = this.pairs;
    pairs.forEach((day, key) => {
      if (day < cutoffDay) pairs.delete(key);
    });
    const daily = this.daily;
    daily.forEach((series, key) => {
      if (forgetDaysBefore(series, cutoffDay)) daily.delete(key);
    });
    const hours = this.hours;
    hours.forEach((days, principal) => {
      if (forgetDaysBefore(days, cutoffDay)) hours.delete(principal);
    });
    const versions = this.versions;
    versions.forEach((list, key) => {
      // Keep the newest version even when old: a read of an older one is still stale.
      const kept = list.filter((e, i) => e.at >= cutoff || i >= list.length - 2);
      if (kept.length === 0) versions.delete(key);
      else versions.set(key, kept);
    });
  }

  toJSON(): BaselineJson {
    return {
      version: 1,
      windowDays: this.windowDays,
      startedMs: this.startedMs,
      lastMs: this.lastMs,
      seen: Object.fromEntries(this.seen),
      daily: Object.fromEntries([...this.daily].map(([k, s]) => [k, Object.fromEntries(s)])),
      hours: Object.fromEntries([...this.hours].map(([k, days]) => [k, Object.fromEntries(days)])),
      pairs: Object.fromEntries(this.pairs),
      vaults: Object.fromEntries(this.vaults),
      versions: Object.fromEntries(this.versions),
      objects: Object.fromEntries(this.objects),
      coverage: Object.fromEntries(this.coverage),
    };
  }

  /**
   * Restores a saved baseline; a bad one is an error naming the problem (never half-loaded).
   * @param value - what `toJSON` returned, read back
   * @param windowDays - the window now configured (a changed window keeps the history)
   */
  static fromJSON(value: unknown, windowDays?: number): Baseline {
    const parsed = baselineJson.safeParse(value);
    if (!parsed.success) throw new Error(`the saved audit baseline is not valid: ${z.prettifyError(parsed.error)}`);
    const json = parsed.data;
    const baseline = new Baseline(windowDays ?? json.windowDays);
    baseline.startedMs = json.startedMs;
    baseline.lastMs = json.lastMs;
    for (const [k, v] of Object.entries(json.seen)) baseline.seen.set(k, v);
    for (const [k, s] of Object.entries(json.daily)) baseline.daily.set(k, new Map(Object.entries(s).map(([d, n]) => [Number(d), n])));
    for (const [k, days] of Object.entries(json.hours)) baseline.hours.set(k, new Map(Object.entries(days).map(([d, h]) => [Number(d), h])));
    for (const [k, v] of Object.entries(json.pairs)) baseline.pairs.set(k, v);
    for (const [k, v] of Object.entries(json.vaults)) baseline.vaults.set(k, v);
    for (const [k, v] of Object.entries(json.versions)) baseline.versions.set(k, v);
    for (const [k, v] of Object.entries(json.objects)) baseline.objects.set(k, v);
    for (const [k, v] of Object.entries(json.coverage)) baseline.coverage.set(k, v);
    return baseline;
  }
}

/** Deletes the days before `cutoffDay` from a map keyed by day number; true when nothing is left. */
function forgetDaysBefore(days: Map<number, unknown>, cutoffDay: number): boolean {
  days.forEach((_, day) => {
    if (day < cutoffDay) days.delete(day);
  });
  return days.size === 0;
}
