/** @module Check certificate-ec-curve: Certificates' elliptic-curve keys use an allowed curve. */
import { ALLOWED_EC_NAMES } from "../allowedKeys.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";
import { ecCurve } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "certificate-ec-curve",
    title: "Certificates' elliptic-curve keys use an allowed curve",
    scope: "certificate",
    rationale: "Only curves the organisation has approved should back certificates.",
    remediation: "Set an allowed keyCurveName in the certificate policy and renew the certificate with a new key.",
    severity: "medium",
    controls: [policy("bd78111f-4953-4367-9fd5-7e08808b54bf", "Certificates using elliptic curve cryptography should have allowed curve names"), MCSB["DP-7"]],
    parameters: { allowedECNames: ALLOWED_EC_NAMES },
  },
  enabledOnly: true,
  evaluate: ecCurve(ALLOWED_EC_NAMES),
});
