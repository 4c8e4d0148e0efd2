/** @module Detection row 17: cryptographic operations with a key per hour far above the principal's learned peak. */
import { dayOf } from "../baseline.js";
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { CRYPTO_OPERATIONS, WINDOW, startOf } from "./operations.js";

export const detector: Detector = {
  id: "impact_crypto_volume",
  name: "Cryptographic operation volume",
  tactic: "impact",
  severity: "low",
  description: "Decrypt, unwrap, sign, wrap, encrypt or verify calls by one principal with one key in an hour exceed a floor and a multiple of its learned hourly peak (mass decryption, ransomware re-encryption).",
  falsePositives: ["Batch jobs and re-encryption projects", "Traffic growth of the app using the key"],
  references: ["detection.md row 17", "Sentinel PR #849 (KeyDecrypt needs its own detection)"],
  thresholds: {
    minCount: { value: 100, description: "operations in an hour below which nothing is flagged" },
    peakFactor: { value: 3, description: "times the learned hourly peak" },
  },
  usesBaseline: true,
  create: () => {
    interface Hour {
      start: number;
      count: number;
      series: Map<number, number>;
      limit: number;
      learnedPeak: number;
      days: number;
    }
    const hours = new Map<string, Hour>();
    return {
      step(r, ctx) {
        if (ctx.benign || !CRYPTO_OPERATIONS.has(r.operation) || !isSuccess(r)) return;
        const key = `crypto|${principalKey(r.principal)}|${objectKey(r) ?? r.vault.name}`;
        const start = startOf(r.timeMs, WINDOW.hour);
        const day = dayOf(r.timeMs);
        let h = hours.get(key);
        if (!h || h.start !== start) {
          const learned = ctx.baseline.history(key, day);
          const limit = Math.max(ctx.thresholds.minCount!, learned.max * ctx.thresholds.peakFactor!);
          hours.set(key, (h = { start, count: 0, series: ctx.baseline.series(key), limit, learnedPeak: learned.max, days: learned.days }));
        }
        h.count++;
        if (h.count > (h.series.get(day) ?? 0)) h.series.set(day, h.count);
        if (!ctx.warm || h.count <= h.limit) return;
        ctx.emit({
          record: r,
          subject: key,
          windowMs: WINDOW.hour,
          total: h.count,
          object: objectKey(r),
          summary: `${who(r)} made ${h.count} cryptographic calls with ${objectKey(r) ?? "a key"} in one hour, against a learned peak of ${h.learnedPeak}`,
          baseline: { learnedHourlyPeak: h.learnedPeak, days: h.days, limit: h.limit },
        });
      },
    };
  },
};
