/** @module Check key-hsm-backed: Keys are backed by a hardware security module. */
import type { ObjectCheck } from "../check.js";
import { cis, ISO, MCSB, policy } from "../controls.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-hsm-backed",
    title: "Keys are backed by a hardware security module",
    scope: "key",
    rationale: "HSM-backed keys never leave the HSM boundary (FIPS 140 level 2 or 3) where software keys are protected at level 1.",
    remediation: "Use a Premium vault (or Managed HSM) and create RSA-HSM or EC-HSM keys for data that requires it.",
    severity: "low",
    controls: [
      policy("587c79fe-dd04-4a5e-9d0b-f89598c7261b", "Keys should be backed by a hardware security module (HSM)"),
      ...cis("Ensure that Azure Key Vault Managed HSM is used when required", undefined, undefined, undefined, "9.3.10", "8.3.10", "8.3.10"),
      MCSB["DP-8"],
      ISO["A.8.24"],
    ],
    parameters: {},
  },
  enabledOnly: true,
  evaluate: ({ item }) =>
    item.keyType?.endsWith("-HSM")
      ? { outcome: "pass", reason: `type ${item.keyType}`, evidence: { keyType: item.keyType } }
      : { outcome: "fail", reason: `type ${item.keyType ?? "unknown"} is software-protected`, evidence: { keyType: item.keyType ?? null } },
});
