/** @module Detection row 2: deleted material brought back (recover, restore). */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

const OPERATIONS = /^(Secret|Key|Certificate|Vault|Storage)(Recover|Restore)$/;

export const detector: Detector = {
  id: "impact_recover_restore",
  name: "Recover or restore of deleted material",
  tactic: "impact",
  severity: "medium",
  description: "A successful recover of a soft-deleted object or restore from a backup blob: deleted material is usable again.",
  falsePositives: ["An operator undoing an accidental delete", "Disaster-recovery drills that restore backups"],
  references: ["detection.md row 2", "ATRM AZT704.1", "Panther azure_keyvault_secret_accessed_or_recovered"],
  thresholds: {},
  usesBaseline: false,
  handles: (operation) => OPERATIONS.test(operation),
  create: () => ({
    step(r, ctx) {
      if (ctx.benign || !OPERATIONS.test(r.operation) || !isSuccess(r)) return;
      ctx.emit({
        record: r,
        subject: `${r.vault.name}|${principalKey(r.principal)}|${r.operation}`,
        windowMs: WINDOW.day,
        object: objectKey(r),
        summary: `${who(r)} ran ${r.operation} on ${objectKey(r) ?? r.vault.name}`,
      });
    },
  }),
};
