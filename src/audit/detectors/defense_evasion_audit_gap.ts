/**
 * @module Detection row 19: a vault with steady traffic goes silent for much longer than its learned
 * longest quiet spell: logging turned off, diagnostic settings deleted, or the vault cut off. Seen when
 * traffic resumes, and at the end of a scan for a silence still going on.
 */
import { dayOf, HOUR_MS, type Baseline } from "../baseline.js";
import type { AuditRecord } from "../record.js";
import type { Detector, FinishContext, StepContext } from "./detector.js";
import { WINDOW } from "./operations.js";

interface Verdict {
  limitMs: number;
  learnedMaxGapMs: number;
  dailyMean: number;
  steady: boolean;
}

function verdict(baseline: Baseline, vault: string, atMs: number, t: Readonly<Record<string, number>>): Verdict {
  const day = dayOf(atMs);
  const gaps = baseline.history(`gap|${vault}`, day);
  const volume = baseline.history(`gapvol|${vault}`, day);
  return {
    limitMs: Math.max(t.minGapHours! * HOUR_MS, gaps.max * t.gapFactor!),
    learnedMaxGapMs: gaps.max,
    dailyMean: volume.mean,
    steady: volume.days >= 3 && volume.mean >= t.minDailyRecords!,
  };
}

/** A stand-in record for a silence still going on at the end of a scan (no record carries it). */
function silenceRecord(vault: string, atMs: number): AuditRecord {
  return { timeMs: atMs, vault: { name: vault, resourceId: `VAULT:${vault.toUpperCase()}` }, operation: "(silence)", status: 200, resultSignature: "", principal: {}, ip: "", client: "", correlationId: "", durationMs: 0 };
}

function hours(ms: number): string {
  return (ms / HOUR_MS).toFixed(1);
}

export const detector: Detector = {
  id: "defense_evasion_audit_gap",
  name: "Audit gap on a busy vault",
  tactic: "defense_evasion",
  severity: "medium",
  description: "A vault with steady traffic has no audit record for longer than a floor and a multiple of its longest learned quiet spell.",
  falsePositives: ["Apps stopped for maintenance", "Log delivery delays (Azure can lag by minutes to hours)"],
  references: ["detection.md row 19", "Panther azure_diagnostic_settings_deleted"],
  thresholds: {
    minGapHours: { value: 6, description: "silence in hours below which nothing is flagged" },
    gapFactor: { value: 2, description: "times the longest learned silence" },
    minDailyRecords: { value: 24, description: "records a day the vault must average to count as steady" },
  },
  usesBaseline: true,
  seesBenign: true,
  create: () => {
    // vault → today's volume and gap series, held for the day so a record builds no key string.
    const today = new Map<string, { day: number; volume: Map<number, number>; gaps: Map<number, number> }>();
    return {
    step(r: AuditRecord, ctx: StepContext) {
      const vault = r.vault.name;
      const day = dayOf(r.timeMs);
      let series = today.get(vault);
      if (!series || series.day !== day) {
        series = { day, volume: ctx.baseline.series(`gapvol|${vault}`), gaps: ctx.baseline.series(`gap|${vault}`) };
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
      state.lastMs = r.timeMs;
      // Below the floor nothing can be flagged: most records stop here without reading history.
      if (!ctx.warm || gap <= ctx.thresholds.minGapHours! * HOUR_MS) return;
      const v = verdict(ctx.baseline, vault, r.timeMs, ctx.thresholds);
      if (!v.steady || gap <= v.limitMs) return;
      ctx.emit({
        record: r,
        subject: `${vault}|${r.timeMs - gap}`,
        windowMs: WINDOW.day,
        start: new Date(r.timeMs - gap).toISOString(),
        summary: `vault ${vault} wrote no audit record for ${hours(gap)} h (until ${new Date(r.timeMs).toISOString()}), though it averages ${Math.round(v.dailyMean)} a day`,
        baseline: { longestLearnedSilenceHours: Number(hours(v.learnedMaxGapMs)), dailyMean: Math.round(v.dailyMean), limitHours: Number(hours(v.limitMs)) },
      });
    },
    finish(ctx: FinishContext) {
      if (!ctx.warm) return;
      for (const [vault, state] of ctx.baseline.vaults) {
        const gap = ctx.endMs - state.lastMs;
        const v = verdict(ctx.baseline, vault, ctx.endMs, ctx.thresholds);
        if (!v.steady || gap <= v.limitMs) continue;
        ctx.emit({
          record: silenceRecord(vault, ctx.endMs),
          subject: `${vault}|${state.lastMs}`,
          windowMs: WINDOW.day,
          start: new Date(state.lastMs).toISOString(),
          summary: `vault ${vault} has written no audit record for ${hours(gap)} h, though it averages ${Math.round(v.dailyMean)} a day`,
          baseline: { longestLearnedSilenceHours: Number(hours(v.learnedMaxGapMs)), dailyMean: Math.round(v.dailyMean), limitHours: Number(hours(v.limitMs)) },
        });
      }
    },
    };
  },
};
