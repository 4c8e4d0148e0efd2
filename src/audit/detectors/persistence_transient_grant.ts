/** @module Detection row 7: an access-policy entry added and another removed on the same vault within minutes. */
import { isSuccess, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { VAULT_WRITES, WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "persistence_transient_grant",
  name: "Transient access grant",
  tactic: "persistence",
  severity: "medium",
  description: "Access-policy entries are added and removed on the same vault within minutes: a grant used and withdrawn to leave little trace.",
  falsePositives: ["Infrastructure-as-code runs that rewrite the whole policy list"],
  references: ["detection.md row 7", "Sentinel hunting AzureKeyVaultAccessManipulation (|Δt| < 10 min)"],
  thresholds: { withinMinutes: { value: 10, description: "minutes between the add and the remove" } },
  usesBaseline: false,
  handles: (operation) => VAULT_WRITES.has(operation),
  create: () => {
    const adds = new Map<string, { at: number; cid: string }[]>();
    const removes = new Map<string, { at: number; cid: string }[]>();
    return {
      step(r, ctx) {
        if (!VAULT_WRITES.has(r.operation) || !r.policyChange || !isSuccess(r)) return;
        const within = ctx.thresholds.withinMinutes! * 60_000;
        const vault = r.vault.name;
        const recent = (map: Map<string, { at: number; cid: string }[]>) => (map.get(vault) ?? []).filter((e) => Math.abs(r.timeMs - e.at) <= within);
        const priorAdds = recent(adds);
        const priorRemoves = recent(removes);
        if (r.policyChange.added.length > 0) adds.set(vault, [...priorAdds, { at: r.timeMs, cid: r.correlationId }]);
        if (r.policyChange.removed.length > 0) removes.set(vault, [...priorRemoves, { at: r.timeMs, cid: r.correlationId }]);
        const pair = r.policyChange.removed.length > 0 ? priorAdds[0] : r.policyChange.added.length > 0 ? priorRemoves[0] : undefined;
        if (ctx.benign || !pair) return;
        ctx.emit({
          record: r,
          subject: `${vault}|${principalKey(r.principal)}`,
          windowMs: WINDOW.hour,
          evidence: [pair.cid],
          summary: `access policy of vault ${vault} was granted and withdrawn within ${Math.round(Math.abs(r.timeMs - pair.at) / 60_000)} min (last change by ${who(r)})`,
        });
      },
    };
  },
};
