/** @module What card and mail share: severity words and colours, the facts of an alert, dates as people read them. */
import { oneLine } from "../../common/logText.js";
import { KIND_LABELS, objectPath, type Alert, type AlertSeverity } from "../alert.js";
import type { AlertMessage, SummaryReason } from "../message.js";

export const SEVERITY_WORDS: Record<AlertSeverity, string> = { info: "INFO", low: "LOW", medium: "MEDIUM", high: "HIGH", critical: "CRITICAL" };

/** Adaptive Card colours (text) and container styles (band) for each severity. */
export const CARD_COLOURS: Record<AlertSeverity, { color: "Accent" | "Good" | "Warning" | "Attention"; style: "accent" | "good" | "warning" | "attention" }> = {
  info: { color: "Accent", style: "accent" },
  low: { color: "Good", style: "good" },
  medium: { color: "Warning", style: "warning" },
  high: { color: "Attention", style: "attention" },
  critical: { color: "Attention", style: "attention" },
};

/** Mail colours (background, text) for each severity band. */
export const MAIL_COLOURS: Record<AlertSeverity, { background: string; text: string }> = {
  info: { background: "#0f6cbd", text: "#ffffff" },
  low: { background: "#107c10", text: "#ffffff" },
  medium: { background: "#f7c948", text: "#201f1e" },
  high: { background: "#c50f1f", text: "#ffffff" },
  critical: { background: "#6e0811", text: "#ffffff" },
};

/** `2026-11-28 01:02 UTC`. */
export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export interface Fact {
  title: string;
  value: string;
}

export function facts(alert: Alert): Fact[] {
  const out: Fact[] = [
    { title: "What", value: KIND_LABELS[alert.kind] },
    { title: "Vault", value: alert.vault },
  ];
  if (alert.object)
    out.push({ title: alert.object.type === "secret" ? "Secret" : alert.object.type === "key" ? "Key" : "Certificate", value: objectPath(alert) });
  if (alert.who?.principal) out.push({ title: "Who", value: alert.who.principal });
  if (alert.who?.ip) out.push({ title: "IP", value: alert.who.ip });
  out.push({ title: "When", value: alert.until ? `${when(alert.at)} to ${when(alert.until)}` : when(alert.at) });
  if (alert.count !== undefined) out.push({ title: alert.kind === "finding" ? "Records" : "Attempts", value: String(alert.count) });
  return out;
}

const REASONS: Record<SummaryReason, string> = {
  digest: "daily digest",
  "quiet-hours": "held during quiet hours",
  burst: "more than the rate limit at once",
};

/** `3 alerts (held during quiet hours)`. */
export function summaryTitle(message: Extract<AlertMessage, { kind: "summary" }>): string {
  return `${message.total} alerts (${REASONS[message.reason]})`;
}

/** `1 high, 2 low, 4 more`: the kept alerts by severity, and how many were left out. */
export function summaryCounts(message: Extract<AlertMessage, { kind: "summary" }>): string {
  const counts = new Map<AlertSeverity, number>();
  for (const a of message.alerts) counts.set(a.severity, (counts.get(a.severity) ?? 0) + 1);
  const parts = [...counts].map(([s, n]) => `${n} ${s}`);
  if (message.omitted) parts.push(`${message.omitted} more`);
  return parts.join(", ");
}

/** `3 alerts (held during quiet hours): 1 high, 2 low`. */
export function summaryLine(message: Extract<AlertMessage, { kind: "summary" }>): string {
  return `${summaryTitle(message)}: ${summaryCounts(message)}`;
}

/** The mail subject: severity and what happened. */
export function subject(message: AlertMessage): string {
  if (message.kind === "summary") return `[kvguard ${SEVERITY_WORDS[message.severity]}] ${summaryLine(message)}`;
  const { alert } = message;
  // Rotation and report titles name their object; a finding's title is the detector's name.
  const what = alert.kind === "finding" ? `Audit finding: ${alert.title} (${objectPath(alert)})` : alert.title;
  return `[kvguard ${SEVERITY_WORDS[alert.severity]}] ${what}`;
}

/**
 * Text quoted from a tag, an error or an audit record, as one plain line: line breaks and tabs become spaces,
 * other control characters show escaped (`oneLine`). A quoted value cannot add lines to a mail or a card.
 */
export function plainText(value: string): string {
  return oneLine(value.replace(/[\r\n\t\u2028\u2029]+/g, " "));
}
