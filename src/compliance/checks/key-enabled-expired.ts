/** @module Check key-enabled-expired: No enabled key has expired. */
import { days, isoDay, type ObjectCheck } from "../check.js";
import { ISO, MCSB, PCI } from "../controls.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "key-enabled-expired",
    title: "No enabled key has expired",
    scope: "key",
    rationale: "An expired but enabled object is a retired credential still in reach; PCI DSS 3.7.5 wants it retired or replaced.",
    remediation: "Rotate the key, or disable or delete it if it is retired.",
    severity: "high",
    controls: [MCSB["DP-6"], PCI["3.7.5"], ISO["A.8.24"]],
    parameters: {},
  },
  enabledOnly: true,
  evaluate({ item }, { nowMs }) {
    const evidence = { enabled: item.enabled, expiresOn: item.expiresOn ?? null };
    if (!item.expiresOn || Date.parse(item.expiresOn) > nowMs) return { outcome: "pass", reason: item.expiresOn ? "not expired" : "no expiration date", evidence };
    return { outcome: "fail", reason: `enabled, expired ${isoDay(item.expiresOn)} (${days(nowMs - Date.parse(item.expiresOn))} days ago)`, evidence };
  },
});
