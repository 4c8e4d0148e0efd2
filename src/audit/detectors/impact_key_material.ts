/**
 * @module Detection row 16: key-material lifecycle abuse: imported keys (BYOK), keys disabled or changed,
 * rotation policy rewritten, keys deleted or purged, and key creation by a principal that never created one.
 */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW, startOf } from "./operations.js";

const ALWAYS = new Set(["KeyImport", "KeyUpdate", "KeyRotationPolicySet", "KeyDelete", "KeyPurge"]);

export const detector: Detector = {
  id: "impact_key_material",
  name: "Key-material lifecycle abuse",
  tactic: "impact",
  severity: "medium",
  description:
    "A successful KeyImport, KeyUpdate (can disable a key), KeyRotationPolicySet, KeyDelete or KeyPurge, or a KeyCreate by a principal that had not created keys in the window: ransom and destruction paths for encryption keys (imports and purges are high severity).",
  falsePositives: ["Planned BYOK imports", "Key administrators' routine changes (suppress them)"],
  references: ["detection.md row 16", "Sigma aws_kms_import_key_material", "Sigma azure_keyvault_key_modified_or_deleted"],
  thresholds: {},
  usesBaseline: false,
  handles: (operation) => operation.startsWith("Key"),
  create: () => ({
    step(r, ctx) {
      if (!isSuccess(r) || !r.operation.startsWith("Key")) return;
      const principal = principalKey(r.principal);
      let firstCreate = false;
      if (r.operation === "KeyCreate") {
        const key = `keycreate|${r.vault.name}|${principal}`;
        firstCreate = ctx.baseline.see(key, startOf(r.timeMs, WINDOW.day), r.timeMs) && ctx.warm;
      }
      if (ctx.benign || (!ALWAYS.has(r.operation) && !firstCreate)) return;
      ctx.emit({
        record: r,
        subject: `${r.vault.name}|${principal}|${r.operation}`,
        windowMs: WINDOW.day,
        severity: r.operation === "KeyPurge" || r.operation === "KeyImport" ? "high" : undefined,
        object: objectKey(r),
        summary: `${who(r)} ran ${r.operation} on ${objectKey(r) ?? r.vault.name}${firstCreate ? " (its first key creation in this vault)" : ""}`,
        baseline: firstCreate ? { createdKeysHereBefore: false, windowDays: ctx.baseline.windowDays } : null,
      });
    },
  }),
};
