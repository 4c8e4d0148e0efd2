/**
 * @module Where an alert goes and when: the channels its routes name (every matching route adds its
 * channels), whether a channel is in quiet hours, and when a channel's daily digest is due. Times are UTC.
 */
import { DAY_MS } from "../common/duration.js";
import { severityRank, type Alert } from "./alert.js";
import type { AlertRules, ChannelRule, RouteRule } from "../config/alertRules.js";

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
}

function matches(route: RouteRule, alert: Alert): boolean {
  if (route.kinds && !route.kinds.includes(alert.kind)) return false;
  if (route.severities && !route.severities.includes(alert.severity)) return false;
  if (route.minSeverity && severityRank(alert.severity) < severityRank(route.minSeverity)) return false;
  if (route.vaults && !route.vaults.some((v) => glob(v).test(alert.vault))) return false;
  return true;
}

/** Channel names for an alert, in rules order, each once. */
export function channelsFor(rules: AlertRules, alert: Alert): string[] {
  return [...new Set(rules.routes.filter((r) => matches(r, alert)).flatMap((r) => r.channels))];
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
}

/** Whether `nowMs` falls in the channel's quiet hours (a range may wrap midnight). */
export function inQuietHours(channel: ChannelRule, nowMs: number): boolean {
  if (!channel.quietHours) return false;
  const [from, to] = channel.quietHours.split("-").map(minutesOf) as [number, number];
  const d = new Date(nowMs);
  const now = d.getUTCHours() * 60 + d.getUTCMinutes();
  return from <= to ? now >= from && now < to : now >= from || now < to;
}

/** Held back for the daily digest: the channel has one and the alert is at or below its `upTo`. */
export function goesToDigest(channel: ChannelRule, alert: Alert): boolean {
  return channel.digest !== undefined && severityRank(alert.severity) <= severityRank(channel.digest.upTo);
}

/** Held back by quiet hours, unless urgent enough. */
export function heldByQuietHours(channel: ChannelRule, alert: Alert, nowMs: number): boolean {
  if (!inQuietHours(channel, nowMs)) return false;
  return !(channel.urgent && severityRank(alert.severity) >= severityRank(channel.urgent));
}

/** Whether the digest time of day (`HH:MM` UTC) has come round since `sinceMs`. */
export function digestDue(at: string, sinceMs: number, nowMs: number): boolean {
  const since = new Date(sinceMs);
  let next = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()) + minutesOf(at) * 60_000;
  if (next <= sinceMs) next += DAY_MS;
  return next <= nowMs;
}
