/** @module Check certificate-ec-curve: Certificates' elliptic-curve keys use an allowed curve. */
import { ALLOWED_EC_NAMES } from "../allowedKeys.js";
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";

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
  evaluate({ item }) {
    if (!item.keyType?.startsWith("EC")) return { outcome: "not-applicable", reason: `not an EC key (${item.keyType ?? "unknown"})`, evidence: { keyType: item.keyType ?? null } };
    const evidence = { keyType: item.keyType, curve: item.curve ?? null };
    return item.curve && ALLOWED_EC_NAMES.includes(item.curve)
      ? { outcome: "pass", reason: `curve ${item.curve}`, evidence }
      : { outcome: "fail", reason: `curve ${item.curve ?? "unknown"} is not in ${ALLOWED_EC_NAMES.join(", ")}`, evidence };
  },
});
