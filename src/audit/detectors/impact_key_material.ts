/**
 * @module Detection row 16: key-material lifecycle abuse: imported keys (BYOK), keys disabled or changed,
 * rotation policy rewritten, keys deleted or purged, and key creation by a principal that never created one.
 * Judged against the principal's learned routine (as destructive operations are): a job that creates
 * short-lived keys and deletes and purges them every night at its hour is not reported; the one purge of a
 * key it never created, inside such a run, is, and leads the finding's evidence.
 */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW, startOf } from "./operations.js";
import { CREATES, habit, outsideRoutine, Routines } from "./routine.js";

const ALWAYS = new Set(["KeyImport", "KeyUpdate", "KeyRotationPolicySet", "KeyDelete", "KeyPurge"]);

export const detector: Detector = {
  id: "impact_key_material",
  name: "Key-material lifecycle abuse",
  tactic: "impact",
  severity: "medium",
  description:
    "A successful KeyImport, KeyUpdate (can disable a key), KeyRotationPolicySet, KeyDelete or KeyPurge outside the principal's learned routine, or a KeyCreate by a principal that had not created keys in the window: ransom and destruction paths for encryption keys (imports and purges are high severity).",
  rationale:
    "Key lifecycles are automated too: a test-environment job creates keys and deletes and purges them every night, a BYOK job imports a key of the same name shape each week, a deploy sets rotation policies on the keys it made. Reporting each of them buries the one purge of a production key. So the routine is learned per principal, vault and operation, as for destructive operations: the keys it created and the name shapes it creates (`pr-#-kek`), the shapes it ran the operation on and on how many days, and its hours. A key operation within an hour of a usual hour, on a shape worked on on `routineDays` earlier days, or on a key (or shape) the principal created when it routinely does this to what it created, is routine; anything else is reported and is the finding's first evidence. A first KeyCreate by a principal in the window has no routine to be part of and is always reported once the baseline is warm.",
  falsePositives: ["Planned BYOK imports", "A new key clean-up job in its first days (until its routine is learned)"],
  references: ["detection.md row 16", "Sigma aws_kms_import_key_material", "Sigma azure_keyvault_key_modified_or_deleted"],
  thresholds: {
    routineDays: { value: 3, description: "earlier days in the window a key operation on a name shape must have been seen to be routine" },
  },
  usesBaseline: false,
  handles: (operation) => ALWAYS.has(operation) || (CREATES.has(operation) && operation.startsWith("Key")),
  create: () => {
    let routines: Routines | undefined;
    return {
      step(r, ctx) {
        if (!isSuccess(r) || !(ALWAYS.has(r.operation) || (CREATES.has(r.operation) && r.operation.startsWith("Key")))) return;
        // Its own scope: KeyDelete and KeyPurge are judged by the destructive-operation detector as well.
        if (routines?.baseline !== ctx.baseline) routines = new Routines(ctx.baseline, ctx.thresholds.routineDays!, "k");
        const principal = principalKey(r.principal);
        const object = objectKey(r);
        let firstCreate = false;
        if (r.operation === "KeyCreate") {
          const key = `keycreate|${r.vault.name}|${principal}`;
          firstCreate = ctx.baseline.see(key, startOf(r.timeMs, WINDOW.day), r.timeMs) && ctx.warm;
        }
        // Judged before its own creation is learned: an import is compared with the imports before it.
        const verdict = ALWAYS.has(r.operation) && !ctx.benign ? routines.judge(r, principal) : undefined;
        if (CREATES.has(r.operation) && object !== undefined) routines.created(r, principal, object);
        if (ctx.benign || verdict?.routine || (!verdict && !firstCreate)) return;
        let summary = `${who(r)} ran ${r.operation} on ${object ?? r.vault.name}`;
        let baseline: Record<string, unknown> = { createdKeysHereBefore: false, windowDays: ctx.baseline.windowDays };
        if (verdict) {
          const usual = routines.describe(r.vault.name, principal, r.operation, { record: r, verdict });
          summary += `, outside its routine (${outsideRoutine(verdict, ctx.thresholds.routineDays!)}); ${habit(r.operation, usual)}`;
          baseline = {
            createdIt: verdict.createdIt,
            daysOnThisNameShape: verdict.daysOnShape,
            daysOnObjectsItCreated: verdict.daysOnOwn,
            usualShapes: usual.shapes,
            usualHoursUtc: usual.hoursUtc,
          };
        } else summary += " (its first key creation in this vault)";
        ctx.emit({
          record: r,
          subject: `${r.vault.name}|${principal}|${r.operation}`,
          windowMs: WINDOW.day,
          severity: r.operation === "KeyPurge" || r.operation === "KeyImport" ? "high" : undefined,
          object,
          summary,
          baseline,
        });
      },
    };
  },
};
