/** @module Check secret-disabled: Disabled secrets are reviewed. */
import type { ObjectCheck } from "../check.js";
import { ISO, PCI } from "../controls.js";
import { disabledObject } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "secret-disabled",
    title: "Disabled secrets are reviewed",
    scope: "secret",
    rationale: "A disabled object is retired in place: it should be deleted once nothing needs it, or re-enabled on purpose.",
    remediation: "Delete the secret if it is retired, or enable it if it is still needed.",
    severity: "low",
    controls: [PCI["3.7.5"], ISO["A.8.24"]],
    parameters: {},
  },
  enabledOnly: false,
  evaluate: disabledObject,
});
