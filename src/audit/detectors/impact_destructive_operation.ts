/**
 * @module Detection row 1: successful destructive or exfiltrating operations (delete, purge, backup), judged
 * against the principal's learned routine: a nightly job that deletes and purges what it created itself,
 * or backs up the same secrets every night, at its usual hour, is routine and not reported; the one act
 * inside such a run that falls outside it (an object it never created, of a name shape it never touches,
 * or at another hour) is, and leads the finding's evidence.
 */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";
import { CREATES, habit, outsideRoutine, Routines } from "./routine.js";

const OPERATIONS = new Set([
  "VaultDelete",
  "VaultPurge",
  "SecretDelete",
  "KeyDelete",
  "CertificateDelete",
  "SecretPurge",
  "KeyPurge",
  "CertificatePurge",
  "SecretBackup",
  "KeyBackup",
  "CertificateBackup",
]);

export const detector: Detector = {
  id: "impact_destructive_operation",
  name: "Destructive or sensitive operation",
  tactic: "impact",
  severity: "medium",
  description:
    "A successful delete, purge or backup of a vault, secret, key or certificate that is not part of the principal's learned routine. Purges are unrecoverable (high severity, as is a vault delete); a backup blob takes material out of the vault.",
  rationale:
    "Backup rotation and PR-environment clean-up delete and purge every night; a detector that reports each of them is muted, and then misses the real purge. So each principal's routine is learned per vault and operation: the objects it created and the name shapes it creates (`backup-#`), the shapes it ran the operation on, on how many days, and at which hours. An act is routine when it comes within an hour of a usual hour and either its name shape was worked on on `routineDays` earlier days, or the principal created the object (or its shape) and routinely does this to what it created. Anything else is reported, so the odd purge inside a routine run is the finding and its first evidence.",
  falsePositives: ["A new clean-up job in its first days (until its routine is learned)", "Planned one-off clean-up of test secrets"],
  references: ["detection.md row 1", "Sentinel KeyVaultSensitiveOperations", "Sigma azure_keyvault_*_modified_or_deleted"],
  thresholds: {
    routineDays: { value: 3, description: "earlier days in the window an operation on a name shape must have been seen to be routine" },
  },
  usesBaseline: false,
  handles: (operation) => OPERATIONS.has(operation) || CREATES.has(operation),
  create: () => {
    let routines: Routines | undefined;
    return {
      step(r, ctx) {
        if (!isSuccess(r)) return;
        if (routines?.baseline !== ctx.baseline) routines = new Routines(ctx.baseline, ctx.thresholds.routineDays!);
        const principal = principalKey(r.principal);
        if (CREATES.has(r.operation)) {
          const object = objectKey(r);
          if (object !== undefined) routines.created(r, principal, object);
          return;
        }
        if (ctx.benign || !OPERATIONS.has(r.operation)) return;
        const verdict = routines.judge(r, principal);
        if (verdict.routine) return;
        const purge = r.operation.endsWith("Purge");
        const usual = routines.describe(r.vault.name, principal, r.operation, { record: r, verdict });
        ctx.emit({
          record: r,
          subject: `${r.vault.name}|${principal}|${r.operation}`,
          windowMs: WINDOW.day,
          severity: purge || r.operation === "VaultDelete" ? "high" : undefined,
          object: objectKey(r),
          summary: `${who(r)} ran ${r.operation} on ${objectKey(r) ?? r.vault.name}, outside its routine (${outsideRoutine(verdict, ctx.thresholds.routineDays!)}); ${habit(r.operation, usual)}`,
          baseline: {
            createdIt: verdict.createdIt,
            daysOnThisNameShape: verdict.daysOnShape,
            daysOnObjectsItCreated: verdict.daysOnOwn,
            usualShapes: usual.shapes,
            usualHoursUtc: usual.hoursUtc,
          },
        });
      },
    };
  },
};
