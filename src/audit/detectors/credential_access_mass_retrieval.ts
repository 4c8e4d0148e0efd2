/**
 * @module Detection row 3: one principal reads many distinct secrets/keys in an hour, above both a fixed
 * floor and its own usual hourly peak (a backup tool that always reads everything is not flagged).
 */
import { dayOf } from "../baseline.js";
import { isSuccess, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { OBJECT_READS, WINDOW, startOf } from "./operations.js";

interface Hour {
  /** `mass|vault|principal`, the baseline series of hourly peaks (built once per pair). */
  peakKey: string;
  start: number;
  objects: Set<string>;
  reads: number;
  evidence: string[];
  /** The hour's threshold, from history learned before today. */
  limit: number;
  learnedPeak: number;
  days: number;
}

export const detector: Detector = {
  id: "credential_access_mass_retrieval",
  name: "Mass retrieval of secrets or keys",
  tactic: "credential_access",
  severity: "medium",
  description:
    "One principal successfully reads more distinct secrets, keys or certificates of a vault within an hour than the threshold and than its own hourly peak over the baseline window.",
  falsePositives: [
    "Backup or migration tools reading every secret (they set their own peak once learned)",
    "An app's first start after a deployment that loads all its configuration",
  ],
  references: [
    "detection.md row 3",
    "Sentinel Mass secret retrieval (dcount > 10)",
    "Elastic credential_access_key_vault_excessive_retrieval",
    "Defender KV_OperationVolumeAnomaly",
  ],
  thresholds: {
    distinctObjects: { value: 10, description: "distinct objects read in one hour before the hour can be flagged" },
    peakFactor: { value: 2, description: "times the principal's learned hourly peak the hour must also exceed" },
  },
  usesBaseline: false,
  handles: (operation) => OBJECT_READS.has(operation),
  create: () => {
    // vault → principal → the current hour: nested, so a repeated read builds no key string.
    const hours = new Map<string, Map<string, Hour>>();
    return {
      step(r, ctx) {
        if (ctx.benign || !r.object || !OBJECT_READS.has(r.operation) || !isSuccess(r)) return;
        const principal = principalKey(r.principal);
        let byPrincipal = hours.get(r.vault.name);
        if (!byPrincipal) hours.set(r.vault.name, (byPrincipal = new Map<string, Hour>()));
        const start = startOf(r.timeMs, WINDOW.hour);
        let hour = byPrincipal.get(principal);
        if (!hour) {
          hour = {
            peakKey: `mass|${r.vault.name}|${principal}`,
            start: Number.NaN,
            objects: new Set(),
            reads: 0,
            evidence: [],
            limit: 0,
            learnedPeak: 0,
            days: 0,
          };
          byPrincipal.set(principal, hour);
        }
        if (hour.start !== start) {
          // A new hour reuses the pair's state: sparse callers start an hour with most reads.
          const learned = ctx.baseline.history(hour.peakKey, dayOf(r.timeMs));
          hour.start = start;
          hour.objects.clear();
          hour.reads = 0;
          hour.evidence = [];
          hour.limit = Math.max(ctx.thresholds.distinctObjects!, learned.max * ctx.thresholds.peakFactor!);
          hour.learnedPeak = learned.max;
          hour.days = learned.days;
        }
        const before = hour.objects.size;
        hour.objects.add(r.object.type === "secrets" ? r.object.name : `${r.object.type}/${r.object.name}`);
        hour.reads++;
        if (hour.evidence.length < 20 && r.correlationId) hour.evidence.push(r.correlationId);
        if (hour.objects.size > before) ctx.baseline.peakDaily(hour.peakKey, dayOf(r.timeMs), hour.objects.size);
        if (hour.objects.size <= hour.limit) return;
        ctx.emit({
          record: r,
          subject: `${r.vault.name}|${principal}`,
          windowMs: WINDOW.hour,
          total: hour.reads,
          evidence: hour.evidence,
          summary: `${who(r)} read ${hour.objects.size} distinct objects of vault ${r.vault.name} in one hour (${hour.reads} reads)`,
          baseline: {
            distinctObjectsThreshold: ctx.thresholds.distinctObjects,
            learnedHourlyPeak: hour.learnedPeak,
            daysOfHistory: hour.days,
            limit: hour.limit,
          },
        });
      },
    };
  },
};
