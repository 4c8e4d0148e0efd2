/** @module Every check kvguard runs, with the parameters of this configuration, in report order. */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import { certificateChecks } from "./certificateChecks.js";
import type { ObjectCheck, VaultCheck } from "./check.js";
import { expiryChecks } from "./expiryChecks.js";
import { inventoryChecks } from "./inventoryChecks.js";
import { keyStrengthChecks } from "./keyStrengthChecks.js";
import type { CheckDefinition, Framework } from "./model.js";
import { rotationChecks } from "./rotationChecks.js";
import { vaultChecks } from "./vaultChecks.js";

export interface Catalogue {
  vault: VaultCheck[];
  objects: ObjectCheck[];
  /** Reported as not applicable until kvguard reads certificates. */
  certificates: CheckDefinition[];
}

export function catalogue(config: ComplianceConfig, frameworks: readonly Framework[] = []): Catalogue {
  const wanted = (d: CheckDefinition) => frameworks.length === 0 || d.controls.some((c) => frameworks.includes(c.framework));
  const objects = [
    ...expiryChecks("key", config),
    ...rotationChecks("key", config),
    ...keyStrengthChecks(config),
    ...inventoryChecks("key"),
    ...expiryChecks("secret", config),
    ...rotationChecks("secret", config),
    ...inventoryChecks("secret"),
  ];
  return {
    vault: vaultChecks(config).filter((c) => wanted(c.definition)),
    objects: objects.filter((c) => wanted(c.definition)),
    certificates: certificateChecks(config).filter(wanted),
  };
}

export function definitions(c: Catalogue): CheckDefinition[] {
  return [...c.vault.map((v) => v.definition), ...c.objects.map((o) => o.definition), ...c.certificates];
}
