/**
 * @module What a channel sends: one alert, or a summary of several (a digest, what quiet hours held back, or
 * a burst over the rate limit). Summaries keep at most `SUMMARY_KEPT` alerts, most severe first, and count
 * the rest, so a stored message stays within Table Storage's property size.
 */
import { severityRank, type Alert, type AlertSeverity } from "./alert.js";

export type SummaryReason = "digest" | "quiet-hours" | "burst";

export type AlertMessage =
  | { kind: "alert"; id: string; alert: Alert }
  | { kind: "summary"; id: string; reason: SummaryReason; alerts: Alert[]; omitted: number; total: number; severity: AlertSeverity };

export const SUMMARY_KEPT = 40;

export function single(alert: Alert): AlertMessage {
  return { kind: "alert", id: alert.id, alert };
}

/** One message for several alerts; a single held alert goes out as itself. */
export function summary(reason: SummaryReason, alerts: readonly Alert[], id: string): AlertMessage {
  if (alerts.length === 1) return single(alerts[0]!);
  const sorted = [...alerts].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.at.localeCompare(b.at));
  const kept = sorted.slice(0, SUMMARY_KEPT);
  return { kind: "summary", id, reason, alerts: kept, omitted: sorted.length - kept.length, total: sorted.length, severity: sorted[0]?.severity ?? "info" };
}
