/** @module Check key-allowed-type: Keys are of an allowed cryptographic type. */
import { ALLOWED_KEY_TYPES } from "../allowedKeys.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI, policy } from "../controls.js";
import { allowedKeyType } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-allowed-type",
    title: "Keys are of an allowed cryptographic type",
    scope: "key",
    rationale: "Only key types the organisation has approved should protect its data.",
    remediation: "Create a key of an allowed type and move its users to it.",
    severity: "medium",
    controls: [
      policy("75c4f823-d65c-4f29-a733-01d0077fdbcb", "Keys should be the specified cryptographic type RSA or EC"),
      MCSB["DP-6"],
      PCI["3.6.1.1"],
      ISO["A.8.24"],
    ],
    parameters: { allowedKeyTypes: ALLOWED_KEY_TYPES },
  },
  enabledOnly: true,
  evaluate: allowedKeyType(ALLOWED_KEY_TYPES),
});
