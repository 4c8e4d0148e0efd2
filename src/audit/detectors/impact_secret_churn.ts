/** @module Secret version churn: bursts of SecretSet on one secret (overwriting, or flooding versions to bury one). */
import { dayOf } from "../baseline.js";
import { isSuccess, objectKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW, startOf } from "./operations.js";

export const detector: Detector = {
  id: "impact_secret_churn",
  name: "Secret version churn",
  tactic: "impact",
  severity: "low",
  description:
    "More new versions of one secret in an hour than the threshold and than a multiple of its learned hourly peak (kvguard's own rotations are not counted).",
  falsePositives: ["Deployment pipelines that set every secret on each run", "Misconfigured rotation loops (worth fixing anyway)"],
  references: ["detection.md: others worth adding (secret version churn)"],
  thresholds: {
    sets: { value: 5, description: "new versions of one secret in an hour" },
    peakFactor: { value: 2, description: "times the secret's learned hourly peak" },
  },
  usesBaseline: false,
  handles: (operation) => operation === "SecretSet",
  create: () => {
    // object → its hour, with the baseline key built once per object.
    const hours = new Map<string, { key: string; start: number; count: number; evidence: string[] }>();
    return {
      step(r, ctx) {
        if (ctx.benign || r.operation !== "SecretSet" || !isSuccess(r)) return;
        const object = objectKey(r);
        if (!object) return;
        const start = startOf(r.timeMs, WINDOW.hour);
        let h = hours.get(object);
        if (!h || h.start !== start) hours.set(object, (h = { key: h?.key ?? `churn|${object}`, start, count: 0, evidence: [] }));
        h.count++;
        if (h.evidence.length < 20 && r.correlationId) h.evidence.push(r.correlationId);
        const day = dayOf(r.timeMs);
        const learned = ctx.baseline.history(h.key, day);
        ctx.baseline.peakDaily(h.key, day, h.count);
        const limit = Math.max(ctx.thresholds.sets! - 1, learned.max * ctx.thresholds.peakFactor!);
        if (h.count <= limit) return;
        ctx.emit({
          record: r,
          subject: object,
          windowMs: WINDOW.hour,
          object,
          total: h.count,
          evidence: h.evidence,
          summary: `${object} got ${h.count} new versions in one hour (last by ${who(r)})`,
          baseline: { learnedHourlyPeak: learned.max, days: learned.days, limit },
        });
      },
    };
  },
};
