/**
 * @module Detection row 10: bursts of denied requests (401/403 by status code, not resultType) by one
 * caller, or denials across several vaults. Challenges and App Service reference failures are benign.
 */
import { dayOf } from "../baseline.js";
import { isDenied, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW, startOf } from "./operations.js";

export const detector: Detector = {
  id: "discovery_denied_access",
  name: "Denied-access burst",
  tactic: "discovery",
  severity: "low",
  description: "A caller gets more 401/403 answers in ten minutes than the threshold and its own learned peak, or is denied on several vaults in a day.",
  falsePositives: [
    "An app deployed before its role assignment (fix the grant)",
    "App Service Key Vault references on network-restricted vaults (treated as benign)",
  ],
  references: [
    "detection.md row 10",
    "Defender KV_UserAccessDeniedAnomaly, KV_AccountVolumeAccessDeniedAnomaly",
    "Panther aws_secretsmanager_retrieve_secrets (20)",
  ],
  thresholds: {
    burst: { value: 10, description: "denials by one caller in ten minutes" },
    peakFactor: { value: 3, description: "times the caller's learned ten-minute peak of denials the burst must exceed" },
    vaults: { value: 3, description: "distinct vaults denying one caller in a day" },
  },
  usesBaseline: false,
  create: () => {
    const windows = new Map<string, { start: number; count: number; evidence: string[] }>();
    const daily = new Map<string, { day: number; vaults: Set<string> }>();
    return {
      step(r, ctx) {
        if (ctx.benign || !isDenied(r)) return;
        const caller = r.principal.oid || r.principal.appid || r.principal.upn ? principalKey(r.principal) : `ip:${r.ip}`;
        const start = startOf(r.timeMs, WINDOW.tenMinutes);
        let w = windows.get(caller);
        if (!w || w.start !== start) windows.set(caller, (w = { start, count: 0, evidence: [] }));
        w.count++;
        if (w.evidence.length < 20 && r.correlationId) w.evidence.push(r.correlationId);
        const day = dayOf(r.timeMs);
        const peakKey = `denied|${caller}`;
        const learned = ctx.baseline.history(peakKey, day);
        ctx.baseline.peakDaily(peakKey, day, w.count);
        let d = daily.get(caller);
        if (!d || d.day !== day) daily.set(caller, (d = { day, vaults: new Set() }));
        d.vaults.add(r.vault.name);
        const limit = Math.max(ctx.thresholds.burst! - 1, learned.max * ctx.thresholds.peakFactor!);
        if (w.count > limit) {
          ctx.emit({
            record: r,
            subject: `burst|${caller}`,
            windowMs: WINDOW.tenMinutes,
            vault: d.vaults.size > 1 ? "*" : r.vault.name,
            total: w.count,
            evidence: w.evidence,
            summary: `${who(r)} was denied ${w.count} times in ten minutes (last: ${r.operation} ${r.status} on ${r.vault.name})`,
            baseline: { learnedTenMinutePeak: learned.max, days: learned.days, limit },
          });
        }
        if (d.vaults.size >= ctx.thresholds.vaults!) {
          ctx.emit({
            record: r,
            subject: `vaults|${caller}`,
            windowMs: WINDOW.day,
            vault: "*",
            total: d.vaults.size,
            summary: `${who(r)} was denied on ${d.vaults.size} vaults today (${[...d.vaults].join(", ")})`,
            baseline: { vaultsThreshold: ctx.thresholds.vaults },
          });
        }
      },
    };
  },
};
