/** @module Check key-ec-curve: Elliptic-curve keys use an allowed curve. */
import { ALLOWED_EC_NAMES } from "../allowedKeys.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI, policy } from "../controls.js";
import { ecCurve } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-ec-curve",
    title: "Elliptic-curve keys use an allowed curve",
    scope: "key",
    rationale: "Only curves the organisation has approved should be used.",
    remediation: "Create a key on an allowed curve and move its users to it.",
    severity: "medium",
    controls: [
      policy("ff25f3c8-b739-4538-9d07-3d6d25cfb255", "Keys using elliptic curve cryptography should have the specified curve names"),
      MCSB["DP-6"],
      PCI["3.6.1.1"],
      ISO["A.8.24"],
    ],
    parameters: { allowedECNames: ALLOWED_EC_NAMES },
  },
  enabledOnly: true,
  evaluate: ecCurve(ALLOWED_EC_NAMES),
});
