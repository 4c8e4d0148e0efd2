/** @module Check key-ec-curve: Elliptic-curve keys use an allowed curve. */
import { ALLOWED_EC_NAMES } from "../allowedKeys.js";
import type { ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI, policy } from "../controls.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-ec-curve",
    title: "Elliptic-curve keys use an allowed curve",
    scope: "key",
    rationale: "Only curves the organisation has approved should be used.",
    remediation: "Create a key on an allowed curve and move its users to it.",
    severity: "medium",
    controls: [policy("ff25f3c8-b739-4538-9d07-3d6d25cfb255", "Keys using elliptic curve cryptography should have the specified curve names"), MCSB["DP-6"], PCI["3.6.1.1"], ISO["A.8.24"]],
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
