/**
 * @module Detection row 8: a principal (or user + app pair) that had not accessed this vault in the
 * baseline window; and a user reading a secret it had never read (Elastic's new-terms on upn + object).
 * Weighed by context: a principal granted access on the vault by an established principal in its usual
 * hours that reads a few objects is an onboarding (low); a user's first read of an object that is itself
 * new (first seen in the last days) is expected (low).
 */
import { startOf } from "./operations.js";
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { DayMemo } from "./dayMemo.js";
import { describeGrant, grantOf, noteGrants } from "./grants.js";
import { FirstPerDay } from "./newTerm.js";
import { OBJECT_READS, VAULT_WRITES, WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "initial_access_first_seen_principal",
  name: "First-seen principal on a vault or secret",
  tactic: "initial_access",
  severity: "medium",
  description:
    "A principal or user+app pair acts on a vault it had not touched in the baseline window, or a user reads an object it had not read before; low when the context shows an onboarding or a new object.",
  rationale:
    "A new app identity granted access by a known administrator and reading its few secrets looks, record by record, like an intruder. What separates them is context the audit log holds: whether the principal was granted access on this vault in the last `grantDays` days by an established principal in its usual hours, and whether it then reads a few objects (an app) or more than `fewObjects` in a day (a sweep). Only a usual grant followed by a few objects lowers the finding to low; no grant, a night-time grant or a sweep keeps it medium. A user reading an object first seen less than `newObjectDays` days ago (a weekly release adds secrets people then look at) is reading something new, not something it had avoided, and is low.",
  falsePositives: [
    "A new app onboarded through RBAC (its role assignment is not in the vault's audit log)",
    "An app whose identity was recreated (new object id)",
  ],
  references: [
    "detection.md row 8",
    "Defender KV_UserAnomaly, KV_AppAnomaly, KV_UserAppAnomaly",
    "Elastic credential_access_key_vault_retrieval_from_rare_identity",
  ],
  thresholds: {
    grantDays: { value: 7, description: "days a grant on the vault counts as the context of a principal's first access" },
    fewObjects: { value: 3, description: "distinct objects a newly granted principal may read in its first day before it counts as a sweep" },
    newObjectDays: { value: 7, description: "days since an object was first seen during which a user's first read of it is expected" },
  },
  usesBaseline: true,
  handles: (operation) => operation !== "Authentication",
  create: () => {
    const described = new FirstPerDay();
    const onVault = new DayMemo<boolean>();
    const onObject = new DayMemo<boolean>();
    /** Object ref (parsers share one per object) → when anyone first read the object in the window, asked once a day under a key built once. */
    const objectFirst = new WeakMap<object, { vault: string; key: string; day: number; first: number }>();
    /** Subject of a first-seen finding → distinct objects read that day, and its grant described once. */
    let sweeps = new Map<string, { objects: Set<string>; usual: boolean; grant: string }>();
    let sweepDay = Number.NaN;
    return {
      step(r, ctx) {
        if (ctx.benign || r.operation === "Authentication") return;
        if (VAULT_WRITES.has(r.operation) && isSuccess(r)) noteGrants(r, ctx);
        const principal = principalKey(r.principal);
        const upn = r.principal.upn;
        const pair = upn && r.principal.appid ? `${upn}+${r.principal.appid}` : principal;
        const today = startOf(r.timeMs, WINDOW.day);
        const newOnVault = onVault.get(today, r.vault.name, pair) ?? onVault.remember(ctx.baseline.see(`pv|${r.vault.name}|${pair}`, today, r.timeMs));
        const isRead = r.object !== undefined && OBJECT_READS.has(r.operation) && isSuccess(r);
        let firstOfObject: number | undefined;
        if (isRead) {
          let entry = objectFirst.get(r.object!);
          if (entry?.vault !== r.vault.name)
            objectFirst.set(r.object!, (entry = { vault: r.vault.name, key: `ob|${objectKey(r)!}`, day: Number.NaN, first: 0 }));
          if (entry.day !== today) {
            entry.day = today;
            entry.first = ctx.baseline.firstSeenThenTouch(entry.key, r.timeMs) ?? r.timeMs;
          }
          firstOfObject = entry.first;
        }
        // Only users' reads are judged per object (Elastic's rule): apps read the same few secrets.
        const object = upn !== undefined && isRead ? objectKey(r) : undefined;
        const newObject =
          object !== undefined && (onObject.get(today, principal, object) ?? onObject.remember(ctx.baseline.see(`po|${principal}|${object}`, today, r.timeMs)));
        if (!ctx.warm) return;
        if (newOnVault) {
          const subject = `${r.vault.name}|${pair}`;
          const first = described.first(subject, today);
          if (today !== sweepDay) {
            sweepDay = today;
            sweeps = new Map();
          }
          let seen = sweeps.get(subject);
          if (!seen) {
            const grant = grantOf(ctx, r.vault.name, r.principal.oid ?? principal, r.timeMs, ctx.thresholds.grantDays! * WINDOW.day);
            sweeps.set(subject, (seen = { objects: new Set(), usual: grant?.usual === true, grant: describeGrant(grant) }));
          }
          const objects = seen.objects;
          if (isRead) objects.add(objectKey(r)!);
          const sweep = objects.size > ctx.thresholds.fewObjects!;
          const onboarding = seen.usual && !sweep;
          ctx.emit({
            record: r,
            subject,
            windowMs: WINDOW.day,
            severity: onboarding ? "low" : "medium",
            summary: `${who(r)} accessed vault ${r.vault.name} for the first time in ${ctx.baseline.windowDays} days (${r.operation}); ${seen.grant}; ${objects.size} distinct object(s) read today${sweep ? ", more than an app's few" : ""}${onboarding ? ": an ordinary onboarding so far" : ""}`,
            ...(first
              ? {
                  baseline: {
                    windowDays: ctx.baseline.windowDays,
                    principalsKnownOnVault: countPrefix(ctx.baseline.seen, `pv|${r.vault.name}|`) - 1,
                    grantedUsually: seen.usual,
                  },
                }
              : {}),
          });
        } else if (newObject) {
          const subject = `${principal}|${object}`;
          const first = described.first(subject, today);
          const objectAgeDays = (r.timeMs - (firstOfObject ?? r.timeMs)) / WINDOW.day;
          const newThing = objectAgeDays < ctx.thresholds.newObjectDays!;
          ctx.emit({
            record: r,
            subject,
            windowMs: WINDOW.day,
            object,
            severity: newThing ? "low" : "medium",
            summary: `${who(r)} read ${object} for the first time in ${ctx.baseline.windowDays} days${newThing ? `; the object itself was first seen ${objectAgeDays.toFixed(1)} days ago` : ""}`,
            ...(first
              ? {
                  baseline: {
                    windowDays: ctx.baseline.windowDays,
                    objectsThisUserReads: countPrefix(ctx.baseline.seen, `po|${principal}|`) - 1,
                    objectFirstSeenDaysAgo: Number(objectAgeDays.toFixed(1)),
                  },
                }
              : {}),
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
