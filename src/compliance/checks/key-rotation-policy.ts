/** @module Check key-rotation-policy: Keys have a rotation policy that rotates within N days. */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { ObjectCheck } from "../check.js";
import { cis, ISO, MCSB, NIST_CRYPTOPERIODS, PCI, policy } from "../controls.js";

export const check = (config: ComplianceConfig): ObjectCheck => ({
  definition: {
    id: "key-rotation-policy",
    title: `Keys have a rotation policy that rotates within ${config.cryptoperiodDays} days`,
    scope: "key",
    rationale: "Key Vault rotates a key itself when its rotation policy has a Rotate action; without one, a key ages until someone acts.",
    remediation:
      "Set a rotation policy with a Rotate action (timeAfterCreate P…D, or timeBeforeExpiry with expiresIn), or tag the key for kvguard's keyvault-key rotator.",
    severity: "medium",
    controls: [
      policy(
        "d8cf8476-a2ec-4916-896e-992351803c44",
        "Keys should have a rotation policy ensuring that their rotation is scheduled within the specified number of days after creation.",
      ),
      ...cis("Ensure Automatic Key Rotation is Enabled within Azure Key Vault for the Supported Services", "8.8", "8.8", "3.3.8", "9.3.9", "8.3.9", "8.3.9"),
      MCSB["DP-6"],
      PCI["3.7.4"],
      NIST_CRYPTOPERIODS,
      ISO["A.8.24"],
    ],
    parameters: { maximumDaysToRotate: config.cryptoperiodDays },
  },
  enabledOnly: true,
  evaluate({ rotationPolicy }) {
    const rotate = rotationPolicy?.rotate ?? [];
    const evidence = { rotationPolicy: rotationPolicy ?? null };
    if (rotate.length === 0) return { outcome: "fail", reason: rotationPolicy ? "its rotation policy has no Rotate action" : "no rotation policy", evidence };
    const scheduled = rotate.map((r) =>
      r.afterCreateDays !== undefined
        ? r.afterCreateDays
        : rotationPolicy?.expiresInDays !== undefined && r.beforeExpiryDays !== undefined
          ? rotationPolicy.expiresInDays - r.beforeExpiryDays
          : undefined,
    );
    const known = scheduled.filter((d) => d !== undefined);
    if (known.length === 0) return { outcome: "fail", reason: "its Rotate action is relative to an expiry the policy does not set", evidence };
    const soonest = Math.min(...known);
    return soonest <= config.cryptoperiodDays
      ? { outcome: "pass", reason: `rotates ${soonest} days after creation`, evidence: { ...evidence, daysToRotate: soonest } }
      : {
          outcome: "fail",
          reason: `rotates ${soonest} days after creation; the limit is ${config.cryptoperiodDays}`,
          evidence: { ...evidence, daysToRotate: soonest },
        };
  },
});
