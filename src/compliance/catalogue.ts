/** @module Every check kvguard runs (the registry), with the parameters of this configuration, in report order. */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import { isVaultCheck, type ObjectCheck, type VaultCheck } from "./check.js";
import { buildChecks } from "./checks/registry.js";
import type { CheckDefinition, Framework } from "./model.js";

export interface Catalogue {
  vault: VaultCheck[];
  /** Key, secret and certificate checks. */
  objects: ObjectCheck[];
}

export function catalogue(config: ComplianceConfig, frameworks: readonly Framework[] = []): Catalogue {
  const wanted = (d: CheckDefinition) => frameworks.length === 0 || d.controls.some((c) => frameworks.includes(c.framework));
  const checks = buildChecks(config).filter((c) => wanted(c.definition));
  return { vault: checks.filter(isVaultCheck), objects: checks.filter((c): c is ObjectCheck => !isVaultCheck(c)) };
}

export function definitions(c: Catalogue): CheckDefinition[] {
  return [...c.vault.map((v) => v.definition), ...c.objects.map((o) => o.definition)];
}
