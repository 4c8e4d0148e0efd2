/**
 * @module Detection row 4: a principal's daily reads of a vault far above its own series over the
 * baseline window (mean + k·σ, and a multiple of the mean, and a floor), in the spirit of Sentinel's
 * time-series rule without its 2-day lag: the day is flagged as soon as it crosses.
 */
import { dayOf } from "../baseline.js";
import { isSuccess, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { OBJECT_READS, WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "credential_access_volume_spike",
  name: "Read volume spike against the principal's history",
  tactic: "credential_access",
  severity: "low",
  description:
    "A principal's successful reads of a vault in one day exceed its learned daily series: mean + k standard deviations, a multiple of the mean, and a floor.",
  falsePositives: ["A release that scales an app out", "Cache flushes that make every instance re-read its secrets"],
  references: ["detection.md row 4", "Sentinel Azure Key Vault access TimeSeries anomaly", "Defender KV_OperationVolumeAnomaly"],
  thresholds: {
    sigma: { value: 4, description: "standard deviations above the daily mean" },
    meanFactor: { value: 3, description: "times the daily mean the day must also exceed" },
    minReads: { value: 25, description: "reads in a day below which a day is never flagged" },
  },
  usesBaseline: true,
  handles: (operation) => OBJECT_READS.has(operation),
  create: () => {
    interface Today {
      day: number;
      series: Map<number, number>;
      count: number;
      limit: number;
      mean: number;
      std: number;
      days: number;
    }
    // vault → principal → today's count and limit: nested, so a read builds no key string.
    const today = new Map<string, Map<string, Today>>();
    return {
      step(r, ctx) {
        if (ctx.benign || !OBJECT_READS.has(r.operation) || !isSuccess(r)) return;
        const principal = principalKey(r.principal);
        let byPrincipal = today.get(r.vault.name);
        if (!byPrincipal) today.set(r.vault.name, (byPrincipal = new Map<string, Today>()));
        const day = dayOf(r.timeMs);
        let entry = byPrincipal.get(principal);
        if (!entry || entry.day !== day) {
          const key = `vol|${r.vault.name}|${principal}`;
          const h = ctx.baseline.history(key, day);
          const t = ctx.thresholds;
          const series = ctx.baseline.series(key);
          entry = {
            day,
            series,
            count: series.get(day) ?? 0,
            mean: h.mean,
            std: h.std,
            days: h.days,
            limit: Math.max(t.minReads!, h.mean + t.sigma! * h.std, h.mean * t.meanFactor!),
          };
          byPrincipal.set(principal, entry);
        }
        const count = ++entry.count;
        entry.series.set(day, count);
        // A principal with no history is the first-seen detector's business.
        if (!ctx.warm || entry.days === 0 || count <= entry.limit) return;
        ctx.emit({
          record: r,
          subject: `vol|${r.vault.name}|${principal}`,
          windowMs: WINDOW.day,
          total: count,
          summary: `${who(r)} made ${count} reads of vault ${r.vault.name} today, against a usual ${entry.mean.toFixed(1)} a day`,
          baseline: { dailyMean: round(entry.mean), dailyStd: round(entry.std), days: entry.days, limit: round(entry.limit) },
        });
      },
    };
  },
};

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
