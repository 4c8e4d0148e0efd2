/** @module What alerts can be about and how severe: the words `KVGUARD_ALERT_RULES` routes on (the alert model shares them). */

export const ALERT_KINDS = [
  "finding",
  "rotation-failed",
  "rotation-succeeded",
  "near-expiry-without-policy",
  "expiry-notice",
  "report-ready",
  "consumer-lagging",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Lowest first: routing compares them by position. */
export const ALERT_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
