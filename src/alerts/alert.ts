/**
 * @module The alert model: what happened (kind, severity, title, explanation), where (vault, object), who
 * (principal, IP), when and how often. It has no field for a secret value on purpose: an alert describes an
 * event, never the credential involved.
 */
import { ALERT_SEVERITIES, type AlertKind, type AlertSeverity } from "../config/alertKinds.js";

export { ALERT_KINDS, ALERT_SEVERITIES, type AlertKind, type AlertSeverity } from "../config/alertKinds.js";

export interface Alert {
  /** Unique per alert. */
  id: string;
  kind: AlertKind;
  severity: AlertSeverity;
  /** Alerts with the same key within the dedup window are one: the finding id, or the failing object. */
  dedupKey: string;
  /** What happened, one line. */
  title: string;
  vault: string;
  /** The vault's Azure resource id, when known: the portal link then opens the vault itself. */
  vaultResourceId?: string;
  object?: { type: "secret" | "key" | "certificate"; name: string };
  who?: { principal?: string; ip?: string };
  /** When it happened (ISO-8601); `until` ends a time range (findings). */
  at: string;
  until?: string;
  /** How many records or events the alert stands for. */
  count?: number;
  explanation: string;
  /** A link to what the alert is about beyond the vault (a report). */
  url?: string;
}

export function severityRank(severity: AlertSeverity): number {
  return ALERT_SEVERITIES.indexOf(severity);
}

export const KIND_LABELS: Record<AlertKind, string> = {
  finding: "Audit finding",
  "rotation-failed": "Rotation failed",
  "rotation-succeeded": "Rotated",
  "near-expiry-without-policy": "Near expiry, no rotation policy",
  "expiry-notice": "Expiry notice",
  "report-ready": "Report ready",
  "consumer-lagging": "Consumer on the previous credential",
};

/** `vault/name` (keys and certificates say so: `vault/keys/name`). */
export function objectPath(alert: Pick<Alert, "vault" | "object">): string {
  if (!alert.object) return alert.vault;
  return alert.object.type === "secret" ? `${alert.vault}/${alert.object.name}` : `${alert.vault}/${alert.object.type}s/${alert.object.name}`;
}
