/**
 * @module Detection row 8: a principal (or user + app pair) that had not accessed this vault in the
 * baseline window; and a user reading a secret it had never read (Elastic's new-terms on upn + object).
 */
import { startOf } from "./operations.js";
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { DayMemo } from "./dayMemo.js";
import { FirstPerDay } from "./newTerm.js";
import { OBJECT_READS, WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "initial_access_first_seen_principal",
  name: "First-seen principal on a vault or secret",
  tactic: "initial_access",
  severity: "medium",
  description: "A principal or user+app pair acts on a vault it had not touched in the baseline window, or a user reads an object it had not read before.",
  falsePositives: ["A newly deployed app or a new team member", "An app whose identity was recreated (new object id)"],
  references: ["detection.md row 8", "Defender KV_UserAnomaly, KV_AppAnomaly, KV_UserAppAnomaly", "Elastic credential_access_key_vault_retrieval_from_rare_identity"],
  thresholds: {},
  usesBaseline: true,
  handles: (operation) => operation !== "Authentication",
  create: () => {
    const described = new FirstPerDay();
    const onVault = new DayMemo<boolean>();
    const onObject = new DayMemo<boolean>();
    return {
    step(r, ctx) {
      if (ctx.benign || r.operation === "Authentication") return;
      const principal = principalKey(r.principal);
      const upn = r.principal.upn;
      const pair = upn && r.principal.appid ? `${upn}+${r.principal.appid}` : principal;
      const today = startOf(r.timeMs, WINDOW.day);
      const newOnVault = onVault.get(today, r.vault.name, pair) ?? onVault.remember(ctx.baseline.see(`pv|${r.vault.name}|${pair}`, today, r.timeMs));
      // Only users' reads are judged per object (Elastic's rule): apps read the same few secrets.
      const object = upn !== undefined && r.object && OBJECT_READS.has(r.operation) && isSuccess(r) ? objectKey(r) : undefined;
      const newObject = object !== undefined && (onObject.get(today, principal, object) ?? onObject.remember(ctx.baseline.see(`po|${principal}|${object}`, today, r.timeMs)));
      if (!ctx.warm) return;
      if (newOnVault) {
        const subject = `${r.vault.name}|${pair}`;
        const first = described.first(subject, today);
        ctx.emit({
          record: r,
          subject,
          windowMs: WINDOW.day,
          summary: `${who(r)} accessed vault ${r.vault.name} for the first time in ${ctx.baseline.windowDays} days (${r.operation})`,
          ...(first ? { baseline: { windowDays: ctx.baseline.windowDays, principalsKnownOnVault: countPrefix(ctx.baseline.seen, `pv|${r.vault.name}|`) - 1 } } : {}),
        });
      } else if (newObject) {
        const subject = `${principal}|${object}`;
        const first = described.first(subject, today);
        ctx.emit({
          record: r,
          subject,
          windowMs: WINDOW.day,
          object,
          summary: `${who(r)} read ${object} for the first time in ${ctx.baseline.windowDays} days`,
          ...(first ? { baseline: { windowDays: ctx.baseline.windowDays, objectsThisUserReads: countPrefix(ctx.baseline.seen, `po|${principal}|`) - 1 } } : {}),
        });
      }
    },
    };
  },
};

// Counting is only done when a finding is made, so the scan over the map is rare.
function countPrefix(map: Map<string, unknown>, prefix: string): number {
  let n = 0;
  for (const key of map.keys()) if (key.startsWith(prefix)) n++;
  return n;
}
