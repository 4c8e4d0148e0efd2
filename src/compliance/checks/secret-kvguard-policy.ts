/** @module Check secret-kvguard-policy: Secrets have a kvguard rotation policy. */
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI } from "../controls.js";
import { kvguardPolicy } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "secret-kvguard-policy",
    title: "Secrets have a kvguard rotation policy",
    scope: "secret",
    rationale: "Without a rotation policy nothing rotates the object at the end of its cryptoperiod (PCI DSS 3.7.4's process for key changes).",
    remediation: "Tag it with kvguard-rotator (and kvguard-rotate-every), or add a policy-file entry that matches it.",
    severity: "medium",
    controls: [PCI["3.7.4"], MCSB["DP-6"], ISO["A.8.24"]],
    parameters: {},
  },
  enabledOnly: true,
  evaluate: kvguardPolicy,
});
