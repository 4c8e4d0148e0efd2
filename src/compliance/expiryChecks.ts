/**
 * @module Expiry checks of keys and secrets: an expiry is set, it is not within N days, the validity
 * (created to expiry) and the active period (not-before or created to now) are not too long, and nothing
 * enabled has already expired. Azure Policy's data-plane definitions, with their parameter names.
 */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import { days, isoDay, type ObjectCheck } from "./check.js";
import { cis, ISO, MCSB, NIST_CRYPTOPERIODS, PCI, policy } from "./controls.js";
import type { ControlRef } from "./model.js";

type Kind = "key" | "secret";

const EXPIRY_SET = {
  key: {
    policy: policy("152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0", "Key Vault keys should have an expiration date"),
    cis: [
      ...cis("Ensure that the Expiration Date is set for all Keys in RBAC Key Vaults", "8.1", "8.1", "3.3.1", "9.3.1", "8.3.1", "8.3.1"),
      ...cis("Ensure that the Expiration Date is set for all Keys in Non-RBAC Key Vaults", "8.2", "8.2", "3.3.2", "9.3.2", "8.3.2", "8.3.2"),
    ],
  },
  secret: {
    policy: policy("98728c90-32c7-4049-8429-847dc0f4fe37", "Key Vault secrets should have an expiration date"),
    cis: [
      ...cis("Ensure that the Expiration Date is set for all Secrets in RBAC Key Vaults", "8.3", "8.3", "3.3.3", "9.3.3", "8.3.3", "8.3.3"),
      ...cis("Ensure that the Expiration Date is set for all Secrets in Non-RBAC Key Vaults", "8.4", "8.4", "3.3.4", "9.3.4", "8.3.4", "8.3.4"),
    ],
  },
} satisfies Record<Kind, { policy: ControlRef; cis: ControlRef[] }>;

const POLICIES = {
  expiringSoon: {
    key: policy("5ff38825-c5d8-47c5-b70e-069a21955146", "Keys should have more than the specified number of days before expiration"),
    secret: policy("b0eb591a-5e70-4534-a8bf-04b9c489584a", "Secrets should have more than the specified number of days before expiration"),
  },
  maxValidity: {
    key: policy("49a22571-d204-4c91-a7b6-09b1a586fbc9", "Keys should have the specified maximum validity period"),
    secret: policy("342e8053-e12e-4c44-be01-c3c2f318400f", "Secrets should have the specified maximum validity period"),
  },
  activePeriod: {
    key: policy("c26e4b24-cf98-4c67-b48b-5a25c4c69eb9", "Keys should not be active for longer than the specified number of days"),
    secret: policy("e8d99835-8a06-45ae-a8e0-87a91941ccfe", "Secrets should not be active for longer than the specified number of days"),
  },
};

const noun = (kind: Kind) => (kind === "key" ? "Key" : "Secret");

export function expiryChecks(kind: Kind, config: ComplianceConfig): ObjectCheck[] {
  const Noun = noun(kind);
  return [
    {
      definition: {
        id: `${kind}-expiry-set`,
        title: `${Noun}s have an expiration date`,
        scope: kind,
        rationale: `A ${kind} without an expiry can be used forever; an expiry forces a change within its cryptoperiod and lets Key Vault warn before it.`,
        remediation: `Set an expiry (exp) on the ${kind}'s current version, or let kvguard rotate it with ValidityPeriodDays.`,
        severity: "high",
        controls: [EXPIRY_SET[kind].policy, ...EXPIRY_SET[kind].cis, MCSB["DP-6"], PCI["3.6.1.1"], NIST_CRYPTOPERIODS, ISO["A.8.24"]],
        parameters: {},
      },
      enabledOnly: true,
      evaluate({ item }, { vault }) {
        const evidence = { expiresOn: item.expiresOn ?? null, rbacAuthorization: vault.rbacAuthorization ?? null };
        return item.expiresOn
          ? { outcome: "pass", reason: `expires ${isoDay(item.expiresOn)}`, evidence }
          : { outcome: "fail", reason: `enabled ${kind} with no expiration date`, evidence };
      },
    },
    {
      definition: {
        id: `${kind}-expiring-soon`,
        title: `${Noun}s have more than ${config.expiryWarningDays} days before expiration`,
        scope: kind,
        rationale: `A ${kind} close to expiry breaks its consumers when it lapses unless it is rotated first.`,
        remediation: `Rotate the ${kind} (kvguard rotate VAULT/NAME) or extend its expiry after review.`,
        severity: "medium",
        controls: [POLICIES.expiringSoon[kind], MCSB["DP-6"], PCI["3.7.4"]],
        parameters: { minimumDaysBeforeExpiration: config.expiryWarningDays },
      },
      enabledOnly: true,
      evaluate({ item }, { nowMs }) {
        if (!item.expiresOn) return { outcome: "not-applicable", reason: "no expiration date (see the expiry-set check)", evidence: { expiresOn: null } };
        const left = days(Date.parse(item.expiresOn) - nowMs);
        const evidence = { expiresOn: item.expiresOn, daysLeft: left };
        if (left < 0) return { outcome: "fail", reason: `expired ${isoDay(item.expiresOn)}, ${-left} days ago`, evidence };
        return left >= config.expiryWarningDays
          ? { outcome: "pass", reason: `expires ${isoDay(item.expiresOn)}, in ${left} days`, evidence }
          : { outcome: "fail", reason: `expires ${isoDay(item.expiresOn)}, in ${left} days; the limit is ${config.expiryWarningDays}`, evidence };
      },
    },
    {
      definition: {
        id: `${kind}-max-validity`,
        title: `${Noun}s are valid for at most ${config.maxValidityDays} days`,
        scope: kind,
        rationale: "The longer a credential is valid, the longer a leaked copy works; NIST SP 800-57 suggests about two years at most.",
        remediation: `Give new versions a shorter expiry (ValidityPeriodDays) and rotate the ${kind}.`,
        severity: "medium",
        controls: [POLICIES.maxValidity[kind], MCSB["DP-6"], NIST_CRYPTOPERIODS, ISO["A.8.24"]],
        parameters: { maximumValidityInDays: config.maxValidityDays },
      },
      enabledOnly: true,
      evaluate({ item }) {
        if (!item.expiresOn || !item.created) return { outcome: "fail", reason: "no expiration date, so no bounded validity", evidence: { created: item.created ?? null, expiresOn: null } };
        const validity = days(Date.parse(item.expiresOn) - Date.parse(item.created));
        const evidence = { created: item.created, expiresOn: item.expiresOn, validityDays: validity };
        return validity <= config.maxValidityDays
          ? { outcome: "pass", reason: `valid for ${validity} days`, evidence }
          : { outcome: "fail", reason: `valid for ${validity} days; the limit is ${config.maxValidityDays}`, evidence };
      },
    },
    {
      definition: {
        id: `${kind}-active-period`,
        title: `${Noun}s are not active for longer than ${config.maxActiveDays} days`,
        scope: kind,
        rationale: "A version in use for years outlives any sensible cryptoperiod.",
        remediation: `Rotate the ${kind}: a new version starts a new active period.`,
        severity: "medium",
        controls: [POLICIES.activePeriod[kind], MCSB["DP-6"], NIST_CRYPTOPERIODS, ISO["A.8.24"]],
        parameters: { maximumValidityInDays: config.maxActiveDays },
      },
      enabledOnly: true,
      evaluate({ item }, { nowMs }) {
        const start = item.notBefore ?? item.created;
        if (!start) return { outcome: "error", reason: "the current version has no creation time", evidence: {} };
        const active = days(nowMs - Date.parse(start));
        const evidence = { activeSince: start, activeDays: active };
        return active <= config.maxActiveDays
          ? { outcome: "pass", reason: `active for ${active} days`, evidence }
          : { outcome: "fail", reason: `active for ${active} days since ${isoDay(start)}; the limit is ${config.maxActiveDays}`, evidence };
      },
    },
    {
      definition: {
        id: `${kind}-enabled-expired`,
        title: `No enabled ${kind} has expired`,
        scope: kind,
        rationale: "An expired but enabled object is a retired credential still in reach; PCI DSS 3.7.5 wants it retired or replaced.",
        remediation: `Rotate the ${kind}, or disable or delete it if it is retired.`,
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
    },
  ];
}

