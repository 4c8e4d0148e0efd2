/** @module Check key-enabled-expired: No enabled key has expired. */
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI } from "../controls.js";
import { enabledExpired } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-enabled-expired",
    title: "No enabled key has expired",
    scope: "key",
    rationale: "An expired but enabled object is a retired credential still in reach; PCI DSS 3.7.5 wants it retired or replaced.",
    remediation: "Rotate the key, or disable or delete it if it is retired.",
    severity: "high",
    controls: [MCSB["DP-6"], PCI["3.7.5"], ISO["A.8.24"]],
    parameters: {},
  },
  enabledOnly: true,
  evaluate: enabledExpired,
});
