/** @module Detection row 1: successful destructive or exfiltrating operations (delete, purge, backup). */
import { isSuccess, objectKey, principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

const OPERATIONS = new Set([
  "VaultDelete", "VaultPurge", "SecretDelete", "KeyDelete", "CertificateDelete",
  "SecretPurge", "KeyPurge", "CertificatePurge", "SecretBackup", "KeyBackup", "CertificateBackup",
]);

export const detector: Detector = {
  id: "impact_destructive_operation",
  name: "Destructive or sensitive operation",
  tactic: "impact",
  severity: "medium",
  description: "A successful delete, purge or backup of a vault, secret, key or certificate. Purges are unrecoverable; a backup blob takes material out of the vault.",
  falsePositives: ["Scheduled backups by a backup identity (suppress that principal for this detector)", "Planned clean-up of test secrets"],
  references: ["detection.md row 1", "Sentinel KeyVaultSensitiveOperations", "Sigma azure_keyvault_*_modified_or_deleted"],
  thresholds: {},
  usesBaseline: false,
  handles: (operation) => OPERATIONS.has(operation),
  create: () => ({
    step(r, ctx) {
      if (ctx.benign || !OPERATIONS.has(r.operation) || !isSuccess(r)) return;
      const purge = r.operation.endsWith("Purge");
      ctx.emit({
        record: r,
        subject: `${r.vault.name}|${principalKey(r.principal)}|${r.operation}`,
        windowMs: WINDOW.day,
        severity: purge || r.operation === "VaultDelete" ? "high" : undefined,
        object: objectKey(r),
        summary: `${who(r)} ran ${r.operation} on ${objectKey(r) ?? r.vault.name}`,
      });
    },
  }),
};
