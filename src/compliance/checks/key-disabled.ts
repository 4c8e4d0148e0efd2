/** @module Check key-disabled: Disabled keys are reviewed. */
import type { ObjectCheck } from "../check.js";
import { ISO, PCI } from "../controls.js";
import { disabledObject } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-disabled",
    title: "Disabled keys are reviewed",
    scope: "key",
    rationale: "A disabled object is retired in place: it should be deleted once nothing needs it, or re-enabled on purpose.",
    remediation: "Delete the key if it is retired, or enable it if it is still needed.",
    severity: "low",
    controls: [PCI["3.7.5"], ISO["A.8.24"]],
    parameters: {},
  },
  enabledOnly: false,
  evaluate: disabledObject,
});
