/** @module Check vault-data-access: At most N principals manage a vault's keys and secrets. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { VaultCheck } from "../check.js";
import { ISO, MCSB, PCI } from "../controls.js";
import { isCustodianRole } from "../roles.js";

export const check = (config: ComplianceConfig): VaultCheck => ({
  definition: {
    id: "vault-data-access",
    title: `At most ${config.maxCustodians} principals manage a vault's keys and secrets`,
    scope: "vault",
    rationale:
      "Custodians of key material are kept to the fewest necessary (PCI DSS 3.6.1); the evidence lists everyone with data-plane access for the access review.",
    remediation: "Remove administrator and officer roles (or writing access policies) from principals that do not need them; grant User roles for reading.",
    severity: "medium",
    controls: [MCSB["PA-7"], MCSB["DP-8"], PCI["3.6.1"], PCI["7.2.4"], ISO["A.8.24"]],
    parameters: { maximumCustodians: config.maxCustodians },
  },
  needs: ["access"],
  evaluate: (v) => {
    const access = v.access ?? [];
    const custodians = [...new Set(access.filter((a) => isCustodianRole(a.role)).map((a) => a.principalId))];
    const evidence = { access, custodians };
    const who = `${access.length} data-plane grant(s), ${custodians.length} custodian(s)`;
    return custodians.length <= config.maxCustodians
      ? { outcome: "pass", reason: who, evidence }
      : { outcome: "fail", reason: `${who}; the limit is ${config.maxCustodians}`, evidence };
  },
});
