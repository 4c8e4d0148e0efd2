/** @module Check key-disabled: Disabled keys are reviewed. */
import { isoDay, type ObjectCheck } from "../check.js";
import { ISO, PCI } from "../controls.js";

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
  evaluate: ({ item }) =>
    item.enabled
      ? { outcome: "pass", reason: "enabled", evidence: { enabled: true } }
      : { outcome: "fail", reason: `disabled (last updated ${isoDay(item.updated) ?? "unknown"})`, evidence: { enabled: false, updated: item.updated ?? null } },
});
