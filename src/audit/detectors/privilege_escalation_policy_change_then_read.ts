/**
 * @module Detection row 6: an access-policy change on a vault (VaultPut/VaultPatch adding principals)
 * followed by a secret or key read by the principal who changed it or by one it added.
 */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { OBJECT_READS, VAULT_WRITES, WINDOW } from "./operations.js";

interface Change {
  at: number;
  by: string;
  added: Set<string>;
  correlationId: string;
}

export const detector: Detector = {
  id: "privilege_escalation_policy_change_then_read",
  name: "Access-policy change then read",
  tactic: "privilege_escalation",
  severity: "medium",
  description: "A VaultPut/VaultPatch that adds access-policy entries is followed within the window by a successful secret/key read by the changer or by a principal it added.",
  falsePositives: ["Onboarding an app: grant, then its first read (suppress the deployment identity)"],
  references: ["detection.md row 6", "Defender KV_PutGetAnomaly"],
  thresholds: { withinMinutes: { value: 60, description: "minutes after the change a read counts" } },
  usesBaseline: false,
  handles: (operation) => VAULT_WRITES.has(operation) || OBJECT_READS.has(operation),
  create: () => {
    const changes = new Map<string, Change[]>();
    return {
      step(r, ctx) {
        if (!isSuccess(r)) return;
        const within = ctx.thresholds.withinMinutes! * 60_000;
        if (VAULT_WRITES.has(r.operation) && r.policyChange && r.policyChange.added.length > 0) {
          const list = (changes.get(r.vault.name) ?? []).filter((c) => r.timeMs - c.at < within);
          list.push({ at: r.timeMs, by: principalKey(r.principal), added: new Set(r.policyChange.added), correlationId: r.correlationId });
          changes.set(r.vault.name, list);
          return;
        }
        if (ctx.benign || !OBJECT_READS.has(r.operation)) return;
        const list = changes.get(r.vault.name);
        if (!list) return;
        const me = principalKey(r.principal);
        const change = list.find((c) => r.timeMs - c.at < within && r.timeMs >= c.at && (c.by === me || c.added.has(me.toLowerCase())));
        if (!change) return;
        ctx.emit({
          record: r,
          subject: `${r.vault.name}|${me}|${change.at}`,
          windowMs: WINDOW.day,
          object: objectKey(r),
          evidence: [change.correlationId],
          summary: `${who(r)} read ${objectKey(r) ?? "an object"} ${Math.round((r.timeMs - change.at) / 60_000)} min after an access-policy change on vault ${r.vault.name}${change.by === me ? " that it made" : " that granted it access"}`,
        });
      },
    };
  },
};
