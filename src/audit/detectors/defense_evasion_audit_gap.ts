/**
 * @module Detection row 19: a vault with steady traffic goes silent for much longer than is usual for it
 * at those hours of the week: logging turned off, diagnostic settings deleted, or the vault cut off. Each
 * vault's longest silence per hour of each day is learned; a silence is compared with the longest ones at
 * the same hours of the week (±1 h) in earlier weeks of the window, so a two-hour silence in a vault that is
 * never quiet for more than minutes is seen, and a night that is always quiet is not. Where fewer weeks are
 * learned, a fixed floor and the vault's longest silence overall judge instead. Seen when traffic resumes,
 * and at the end of a scan for a silence still going on.
 */
import { dayOf, HOUR_MS, type Baseline } from "../baseline.js";
import type { AuditRecord } from "../record.js";
import type { Detector, FinishContext, StepContext } from "./detector.js";
import { WINDOW } from "./operations.js";

const MINUTE_MS = 60_000;
const WEEK_DAYS = 7;
/** Hours of a silence looked at, at most (a week: every hour of the week once). */
const MAX_SPAN_HOURS = 7 * 24;

interface Verdict {
  limitMs: number;
  dailyMean: number;
  steady: boolean;
  /** The longest silence learned at these hours of the week, when enough weeks were learned. */
  hourOfWeekMs?: number;
  weeks: number;
  learnedMaxGapMs: number;
}

function gapKey(vault: string): string {
  return `gap|${vault}`;
}

/**
 * The longest learned silence overlapping the hours from `fromMs` to `toMs` (±1 h) at the same hours of the
 * week in earlier weeks of the window, and in how many weeks any was learned.
 */
function hourOfWeekGap(baseline: Baseline, vault: string, fromMs: number, toMs: number): { maxMs: number; weeks: number } {
  const days = baseline.hours.get(gapKey(vault));
  if (!days) return { maxMs: 0, weeks: 0 };
  const first = Math.floor(fromMs / HOUR_MS) - 1;
  const last = Math.min(Math.floor(toMs / HOUR_MS) + 1, first + MAX_SPAN_HOURS);
  const oldest = dayOf(toMs) - baseline.windowDays;
  const weeks = new Set<number>();
  let maxMin = 0;
  for (let hour = first; hour <= last; hour++) {
    const day = Math.floor(hour / 24);
    for (let k = 1, d = day - WEEK_DAYS; d >= oldest; k++, d -= WEEK_DAYS) {
      const hours = days.get(d);
      if (!hours) continue;
      weeks.add(k);
      if (hours[hour % 24]! > maxMin) maxMin = hours[hour % 24]!;
    }
  }
  return { maxMs: maxMin * MINUTE_MS, weeks: weeks.size };
}

function verdict(baseline: Baseline, vault: string, fromMs: number, toMs: number, t: Readonly<Record<string, number>>, inProgress: boolean): Verdict {
  const day = dayOf(toMs);
  const gaps = baseline.history(`gap|${vault}`, day);
  const volume = baseline.history(`gapvol|${vault}`, day);
  const fixed = Math.max(t.minGapHours! * HOUR_MS, gaps.max * t.gapFactor!);
  const how = hourOfWeekGap(baseline, vault, fromMs, toMs);
  const learned = how.weeks >= t.minWeeks!;
  let limitMs = learned ? Math.max(t.minGapMinutes! * MINUTE_MS, how.maxMs * t.hourOfWeekFactor!) : fixed;
  // A silence still going on may only be logs not delivered yet: the fixed floor applies too.
  if (inProgress) limitMs = Math.max(limitMs, t.minGapHours! * HOUR_MS);
  return {
    limitMs,
    dailyMean: volume.mean,
    steady: volume.days >= 3 && volume.mean >= t.minDailyRecords!,
    ...(learned ? { hourOfWeekMs: how.maxMs } : {}),
    weeks: how.weeks,
    learnedMaxGapMs: gaps.max,
  };
}

/** How unusual the silence is, in words. */
function unusual(gapMs: number, v: Verdict): string {
  if (v.hourOfWeekMs === undefined) return `its longest silence in the window was ${hours(v.learnedMaxGapMs)} h`;
  const times = v.hourOfWeekMs > 0 ? `${(gapMs / v.hourOfWeekMs).toFixed(1)}× ` : "";
  return `${times}the longest silence it had at these hours of the week over the last ${v.weeks} week(s) (${Math.round(v.hourOfWeekMs / MINUTE_MS)} min)`;
}

function baselineOf(v: Verdict): Record<string, unknown> {
  return {
    longestLearnedSilenceHours: Number(hours(v.learnedMaxGapMs)),
    ...(v.hourOfWeekMs !== undefined ? { longestSilenceAtTheseHoursMinutes: Math.round(v.hourOfWeekMs / MINUTE_MS), weeksLearned: v.weeks } : {}),
    dailyMean: Math.round(v.dailyMean),
    limitHours: Number(hours(v.limitMs)),
  };
}

/** A stand-in record for a silence still going on at the end of a scan (no record carries it). */
function silenceRecord(vault: string, atMs: number): AuditRecord {
  return {
    timeMs: atMs,
    vault: { name: vault, resourceId: `VAULT:${vault.toUpperCase()}` },
    operation: "(silence)",
    status: 200,
    resultSignature: "",
    principal: {},
    ip: "",
    client: "",
    correlationId: "",
    durationMs: 0,
  };
}

function hours(ms: number): string {
  return (ms / HOUR_MS).toFixed(1);
}

export const detector: Detector = {
  id: "defense_evasion_audit_gap",
  name: "Audit gap on a busy vault",
  tactic: "defense_evasion",
  severity: "medium",
  description:
    "A vault with steady traffic has no audit record for longer than is usual for it at those hours of the week (or, with less history, than a fixed floor and a multiple of its longest learned silence).",
  rationale:
    "A fixed threshold misses a two-hour silence in a vault that is never quiet for more than minutes, and would flag every quiet night of a vault used by day. So each vault's longest silence per hour is learned, and a silence is compared with the longest one at the same hours of the week (±1 h) in earlier weeks: over `hourOfWeekFactor` times it (and over `minGapMinutes`) is reported, with how many times the usual it was. With fewer than `minWeeks` weeks learned, the fixed floor `minGapHours` and `gapFactor` times the longest silence overall judge, as they do for a silence still going on at the end of a scan (which may be logs not yet delivered).",
  falsePositives: ["Apps stopped for maintenance", "Log delivery delays (Azure can lag by minutes to hours)"],
  references: ["detection.md row 19", "Panther azure_diagnostic_settings_deleted"],
  thresholds: {
    minGapHours: {
      value: 6,
      description: "silence in hours below which nothing is flagged without hour-of-week history, or while a silence is still going on",
    },
    gapFactor: { value: 2, description: "times the longest learned silence (without hour-of-week history)" },
    minDailyRecords: { value: 24, description: "records a day the vault must average to count as steady" },
    minWeeks: { value: 2, description: "earlier weeks with traffic at the same hours before the hour-of-week judgement applies" },
    hourOfWeekFactor: { value: 3, description: "times the longest silence learned at the same hours of the week" },
    minGapMinutes: { value: 60, description: "silence in minutes below which nothing is flagged, whatever the hour-of-week history" },
  },
  usesBaseline: true,
  seesBenign: true,
  create: () => {
    // vault → today's volume and gap series and hourly longest silences, held for the day so a record builds no key string.
    const today = new Map<string, { day: number; volume: Map<number, number>; gaps: Map<number, number>; hourly: number[] }>();
    return {
      step(r: AuditRecord, ctx: StepContext) {
        const vault = r.vault.name;
        const day = dayOf(r.timeMs);
        let series = today.get(vault);
        if (!series || series.day !== day) {
          series = {
            day,
            volume: ctx.baseline.series(`gapvol|${vault}`),
            gaps: ctx.baseline.series(`gap|${vault}`),
            hourly: ctx.baseline.dayHours(gapKey(vault), day),
          };
          today.set(vault, series);
        }
        series.volume.set(day, (series.volume.get(day) ?? 0) + 1);
        const state = ctx.baseline.vaults.get(vault);
        if (!state) {
          ctx.baseline.vaults.set(vault, { lastMs: r.timeMs });
          return;
        }
        const gap = r.timeMs - state.lastMs;
        if (gap <= 0) return;
        if (gap > (series.gaps.get(day) ?? 0)) series.gaps.set(day, gap);
        const from = state.lastMs;
        state.lastMs = r.timeMs;
        // Judge before learning this silence; below the absolute floor nothing can be flagged.
        const flag =
          ctx.warm && gap > ctx.thresholds.minGapMinutes! * MINUTE_MS ? verdict(ctx.baseline, vault, from, r.timeMs, ctx.thresholds, false) : undefined;
        learn(ctx.baseline, vault, from, r.timeMs, series);
        if (!flag || !flag.steady || gap <= flag.limitMs) return;
        ctx.emit({
          record: r,
          subject: `${vault}|${from}`,
          windowMs: WINDOW.day,
          start: new Date(from).toISOString(),
          summary: `vault ${vault} wrote no audit record for ${hours(gap)} h (until ${new Date(r.timeMs).toISOString()}): ${unusual(gap, flag)}; it averages ${Math.round(flag.dailyMean)} records a day`,
          baseline: baselineOf(flag),
        });
      },
      finish(ctx: FinishContext) {
        if (!ctx.warm) return;
        for (const [vault, state] of ctx.baseline.vaults) {
          const gap = ctx.endMs - state.lastMs;
          const v = verdict(ctx.baseline, vault, state.lastMs, ctx.endMs, ctx.thresholds, true);
          if (!v.steady || gap <= v.limitMs) continue;
          ctx.emit({
            record: silenceRecord(vault, ctx.endMs),
            subject: `${vault}|${state.lastMs}`,
            windowMs: WINDOW.day,
            start: new Date(state.lastMs).toISOString(),
            summary: `vault ${vault} has written no audit record for ${hours(gap)} h: ${unusual(gap, v)}; it averages ${Math.round(v.dailyMean)} records a day`,
            baseline: baselineOf(v),
          });
        }
      },
    };
  },
};

/** Records the silence from `fromMs` to `toMs` as the longest so far (in minutes) in every hour it overlaps. */
function learn(baseline: Baseline, vault: string, fromMs: number, toMs: number, today: { day: number; hourly: number[] }): void {
  const minutes = Math.ceil((toMs - fromMs) / MINUTE_MS);
  const last = Math.floor(toMs / HOUR_MS);
  // Most silences are within the hour of the record that ends them.
  for (let hour = Math.max(Math.floor(fromMs / HOUR_MS), last - MAX_SPAN_HOURS); hour <= last; hour++) {
    const day = Math.floor(hour / 24);
    const hourly = day === today.day ? today.hourly : baseline.dayHours(gapKey(vault), day);
    if (minutes > hourly[hour % 24]!) hourly[hour % 24] = minutes;
  }
}
