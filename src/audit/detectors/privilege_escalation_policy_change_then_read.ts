/**
 * @module Detection row 6: an access-policy change on a vault (VaultPut/VaultPatch adding principals)
 * followed by a secret or key read by the principal who changed it or by one it added. An ordinary
 * onboarding (an established principal granting in its usual hours, the new principal then reading a few
 * objects) is reported low; a grant at an unusual hour or by a principal with no history, or a new principal
 * that sweeps the vault, stays medium.
 */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { noteGrants } from "./grants.js";
import { OBJECT_READS, VAULT_WRITES, WINDOW } from "./operations.js";

interface Change {
  at: number;
  by: string;
  added: Set<string>;
  correlationId: string;
  /** An established granter in its usual hours. */
  usual: boolean;
  /** Added principal → distinct objects it read since. */
  reads: Map<string, Set<string>>;
}

export const detector: Detector = {
  id: "privilege_escalation_policy_change_then_read",
  name: "Access-policy change then read",
  tactic: "privilege_escalation",
  severity: "medium",
  description:
    "A VaultPut/VaultPatch that adds access-policy entries is followed within the window by a successful secret/key read by the changer or by a principal it added; low for an ordinary onboarding, medium otherwise.",
  rationale:
    "Onboarding an app is a grant followed by the app's first reads, exactly the shape of this attack, so the context decides: who granted (a principal with an established hour-of-week profile), at what hour compared with its own habits, and what the new principal then reads (a few objects, as an app does, or more than `fewObjects`, a sweep). A usual grant followed by a few reads (by the new principal, or by the changer, which had access before) is reported low; a night-time grant, a granter with no history, a sweep, or a changer that granted itself access is medium.",
  falsePositives: ["Onboarding an app outside the granting administrator's usual hours"],
  references: ["detection.md row 6", "Defender KV_PutGetAnomaly"],
  thresholds: {
    withinMinutes: { value: 60, description: "minutes after the change a read counts" },
    fewObjects: { value: 3, description: "distinct objects a newly granted principal may read after a usual grant before it counts as a sweep" },
  },
  usesBaseline: false,
  handles: (operation) => VAULT_WRITES.has(operation) || OBJECT_READS.has(operation),
  create: () => {
    const changes = new Map<string, Change[]>();
    return {
      step(r, ctx) {
        if (!isSuccess(r)) return;
        const within = ctx.thresholds.withinMinutes! * 60_000;
        if (VAULT_WRITES.has(r.operation) && r.policyChange && r.policyChange.added.length > 0) {
          noteGrants(r, ctx);
          const list = (changes.get(r.vault.name) ?? []).filter((c) => r.timeMs - c.at < within);
          const usual = ctx.baseline.seen.has(`gru|${r.vault.name}|${r.policyChange.added[0]!.toLowerCase()}`);
          list.push({
            at: r.timeMs,
            by: principalKey(r.principal),
            added: new Set(r.policyChange.added.map((id) => id.toLowerCase())),
            correlationId: r.correlationId,
            usual,
            reads: new Map(),
          });
          changes.set(r.vault.name, list);
          return;
        }
        if (ctx.benign || !OBJECT_READS.has(r.operation)) return;
        const list = changes.get(r.vault.name);
        if (!list) return;
        const me = principalKey(r.principal);
        const change = list.find((c) => r.timeMs - c.at < within && r.timeMs >= c.at && (c.by === me || c.added.has(me.toLowerCase())));
        if (!change) return;
        const self = change.by === me;
        let objects = change.reads.get(me);
        if (!objects) change.reads.set(me, (objects = new Set()));
        objects.add(objectKey(r) ?? "");
        const sweep = objects.size > ctx.thresholds.fewObjects!;
        // The changer reading is escalation only if the change gave it access, or was itself unusual.
        const onboarding = change.usual && !sweep && !(self && change.added.has(me.toLowerCase()));
        const minutes = Math.round((r.timeMs - change.at) / 60_000);
        const context = self
          ? `that it made${change.added.has(me.toLowerCase()) ? ", granting itself access" : ""} (${change.usual ? "in its usual hours" : "outside its usual hours or with little history"})`
          : `that granted it access (${change.usual ? "by an established principal in its usual hours" : "by a principal outside its usual hours or with little history"}); it has read ${objects.size} distinct object(s) since${sweep ? ", more than an app's few" : ""}`;
        ctx.emit({
          record: r,
          subject: `${r.vault.name}|${me}|${change.at}`,
          windowMs: WINDOW.day,
          object: objectKey(r),
          severity: onboarding ? "low" : "medium",
          evidence: [change.correlationId],
          summary: `${who(r)} read ${objectKey(r) ?? "an object"} ${minutes} min after an access-policy change on vault ${r.vault.name} ${context}${onboarding ? ": an ordinary onboarding so far" : ""}`,
          baseline: { grantUsual: change.usual, distinctObjectsSinceGrant: objects.size, fewObjects: ctx.thresholds.fewObjects },
        });
      },
    };
  },
};
