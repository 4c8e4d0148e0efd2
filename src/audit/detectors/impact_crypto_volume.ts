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
  description:
    "Decrypt, unwrap, sign, wrap, encrypt or verify calls by one principal with one key in an hour exceed a floor and a multiple of its learned hourly peak (mass decryption, ransomware re-encryption).",
  falsePositives: ["Batch jobs and re-encryption projects", "Traffic growth of the app using the key"],
  references: ["detection.md row 17", "Sentinel PR #849 (KeyDecrypt needs its own detection)"],
  thresholds: {
    minCount: { value: 100, description: "operations in an hour below which nothing is flagged" },
    peakFactor: { value: 3, description: "times the learned hourly peak" },
  },
  usesBaseline: true,
  handles: (operation) => CRYPTO_OPERATIONS.has(operation),
  create: () => {
    interface Hour {
      /** `crypto|principal|object`, the baseline series. */
      key: string;
      start: number;
      count: number;
      series: Map<number, number>;
      limit: number;
      learnedPeak: number;
      days: number;
    }
    // principal → key or vault → the hour: nested, so a call builds no key string.
    const hours = new Map<string, Map<string, Hour>>();
    return {
      step(r, ctx) {
        if (ctx.benign || !CRYPTO_OPERATIONS.has(r.operation) || !isSuccess(r)) return;
        const principal = principalKey(r.principal);
        const target = objectKey(r) ?? r.vault.name;
        let byTarget = hours.get(principal);
        if (!byTarget) hours.set(principal, (byTarget = new Map<string, Hour>()));
        const start = startOf(r.timeMs, WINDOW.hour);
        const day = dayOf(r.timeMs);
        let h = byTarget.get(target);
        if (!h || h.start !== start) {
          const key = h?.key ?? `crypto|${principal}|${target}`;
          const learned = ctx.baseline.history(key, day);
          const limit = Math.max(ctx.thresholds.minCount!, learned.max * ctx.thresholds.peakFactor!);
          byTarget.set(target, (h = { key, start, count: 0, series: ctx.baseline.series(key), limit, learnedPeak: learned.max, days: learned.days }));
        }
        h.count++;
        if (h.count > (h.series.get(day) ?? 0)) h.series.set(day, h.count);
        if (!ctx.warm || h.count <= h.limit) return;
        ctx.emit({
          record: r,
          subject: h.key,
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
