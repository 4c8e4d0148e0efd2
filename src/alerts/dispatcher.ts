/**
 * @module The alert dispatcher: what the rotation engine, the audit pipeline and the reports hand alerts to.
 *
 * `dispatch(alerts)`: refuse any alert carrying a secret; drop duplicates (same dedup key within the window);
 * route each to its channels; per channel, hold it for the digest or for quiet hours, or send it now within
 * the channel's rate limit (a batch over the limit becomes one summary; none left: held for later).
 * `flush()`, on the timer: retry the outbox, send digests and what quiet hours or bursts held back.
 * Whatever a channel does not take after retries goes to the outbox: never silently lost.
 */
import { randomUUID } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { systemClock, type Clock } from "../common/clock.js";
import { printLine } from "../common/logText.js";
import type { Alert } from "./alert.js";
import { DEFAULT_RETRY, deliverWithRetry, type RetryPolicy } from "./delivery.js";
import { single, summary, type AlertMessage, type SummaryReason } from "./message.js";
import { channelsFor, digestDue, goesToDigest, heldByQuietHours, inQuietHours } from "./routing.js";
import type { AlertRules, ChannelRule } from "../config/alertRules.js";
import { assertNoSecrets, SecretLeakError } from "./secretGuard.js";
import type { Sink } from "./sinks/sink.js";
import { HeldAlerts, type HeldAlert } from "./store/held.js";
import { Ledger } from "./store/ledger.js";
import { Outbox } from "./store/outbox.js";

const CLAIM_BATCH = 16;

export interface DispatcherOptions {
  rules: AlertRules;
  /** One sink per channel of the rules, by channel name. */
  sinks: Readonly<Record<string, Sink>>;
  /** The `kvguardalerts` table (created). */
  table: TableClient;
  clock?: Clock;
  retry?: RetryPolicy;
  /** Values that must never leave in an alert (settings' secrets); callers add their own per dispatch. */
  secrets?: readonly string[];
  log?: (line: string) => void;
}

export interface DispatchReport {
  received: number;
  refused: { id: string; reason: string }[];
  duplicates: number;
  unrouted: number;
  /** Messages delivered (single alerts and summaries). */
  sent: number;
  held: number;
  /** Messages that went to the outbox. */
  queued: number;
}

export interface FlushReport {
  outboxDelivered: number;
  outboxLeft: number;
  summariesSent: number;
  queued: number;
}

export class AlertDispatcher {
  readonly #outbox: Outbox;
  readonly #held: HeldAlerts;
  readonly #ledger: Ledger;
  readonly #clock: Clock;
  readonly #log: (line: string) => void;

  constructor(readonly options: DispatcherOptions) {
    for (const name of Object.keys(options.rules.channels)) {
      if (!options.sinks[name]) throw new Error(`alert channel ${name} has no sink: KVGUARD_ALERT_RULES names it, but its connection is not configured`);
    }
    this.#outbox = new Outbox(options.table);
    this.#held = new HeldAlerts(options.table);
    this.#ledger = new Ledger(options.table);
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? printLine;
  }

  get outbox(): Outbox {
    return this.#outbox;
  }

  /**
   * Routes and sends alerts.
   * @param alerts - from `alertsFromRotation`, `alertsFromFindings`, `alertFromReport`
   * @param options - `secrets`: values the caller knows must not appear (a rotated value, a connection string)
   */
  async dispatch(alerts: readonly Alert[], options: { secrets?: readonly string[] } = {}): Promise<DispatchReport> {
    const report: DispatchReport = { received: alerts.length, refused: [], duplicates: 0, unrouted: 0, sent: 0, held: 0, queued: 0 };
    const now = this.#clock.nowMs();
    const secrets = [...(this.options.secrets ?? []), ...(options.secrets ?? [])];
    const routed: { alert: Alert; channels: string[] }[] = [];
    for (const alert of alerts) {
      try {
        assertNoSecrets(alert, secrets, `alert ${alert.id} (${alert.title.slice(0, 80)})`);
      } catch (error) {
        if (!(error instanceof SecretLeakError)) throw error;
        report.refused.push({ id: alert.id, reason: error.message });
        this.#log(`alerts: ${error.message}`);
        continue;
      }
      const channels = channelsFor(this.options.rules, alert);
      if (channels.length === 0) report.unrouted += 1;
      else routed.push({ alert, channels });
    }
    // One claim row per alert: a scan's hundreds of findings claim a batch at a time, not one by one.
    const fresh: boolean[] = [];
    for (let i = 0; i < routed.length; i += CLAIM_BATCH) {
      const batch = routed.slice(i, i + CLAIM_BATCH);
      fresh.push(...(await Promise.all(batch.map(({ alert }) => this.#ledger.claim(alert.dedupKey, now, this.options.rules.dedupWindow)))));
    }
    const perChannel = new Map<string, Alert[]>();
    routed.forEach(({ alert, channels }, i) => {
      if (!fresh[i]) {
        report.duplicates += 1;
        return;
      }
      for (const channel of channels) perChannel.set(channel, [...(perChannel.get(channel) ?? []), alert]);
    });
    await Promise.all([...perChannel].map(([channel, list]) => this.#dispatchToChannel(channel, list, now, report)));
    return report;
  }

  async #dispatchToChannel(name: string, alerts: Alert[], now: number, report: DispatchReport): Promise<void> {
    const channel = this.options.rules.channels[name]!;
    const immediate: Alert[] = [];
    for (const alert of alerts) {
      const reason: SummaryReason | undefined = goesToDigest(channel, alert) ? "digest" : heldByQuietHours(channel, alert, now) ? "quiet-hours" : undefined;
      if (reason) {
        await this.#held.hold(name, reason, alert, now);
        report.held += 1;
      } else immediate.push(alert);
    }
    if (immediate.length === 0) return;
    const allowed = await this.#take(name, channel, now, immediate.length);
    if (allowed >= immediate.length) {
      for (const alert of immediate) if (await this.#send(name, single(alert), report)) report.sent += 1;
    } else if (allowed >= 1) {
      if (await this.#send(name, summary("burst", immediate, randomUUID()), report)) report.sent += 1;
    } else {
      for (const alert of immediate) await this.#held.hold(name, "burst", alert, now);
      report.held += immediate.length;
    }
  }

  /**
   * Takes up to `wanted` messages from the channel's rate window; a batch that does not fit takes one
   * (its summary). Returns how many were taken.
   */
  #take(name: string, channel: ChannelRule, now: number, wanted: number): Promise<number> {
    const windowMs = channel.rateLimit.perMinutes * 60_000;
    return this.#ledger.updateChannel(name, (state) => {
      const current = now - state.windowStartMs >= windowMs ? { ...state, windowStartMs: now, sent: 0 } : state;
      const left = channel.rateLimit.max - current.sent;
      const taken = wanted <= left ? wanted : Math.min(1, Math.max(0, left));
      return { state: { ...current, sent: current.sent + taken }, result: taken };
    });
  }

  /** Delivers with retries; what still fails goes to the outbox (counted in `counts.queued`). True when delivered. */
  async #send(channel: string, message: AlertMessage, counts: { queued: number }): Promise<boolean> {
    const result = await deliverWithRetry(this.options.sinks[channel]!, message, this.options.retry ?? DEFAULT_RETRY);
    if (result.ok) return true;
    if (result.refused) {
      // Storing it would keep the secret: it is dropped, loudly.
      this.#log(`alerts: ${channel}: ${result.error}`);
      return false;
    }
    await this.#outbox.add(channel, message, result, this.#clock.nowMs());
    counts.queued += 1;
    this.#log(`alerts: ${channel}: ${result.error}; kept in the outbox, retried on the next run`);
    return false;
  }

  /** Retries the outbox, then sends the summaries that are due: digests, quiet hours that ended, bursts. */
  async flush(): Promise<FlushReport> {
    const report: FlushReport = { outboxDelivered: 0, outboxLeft: 0, summariesSent: 0, queued: 0 };
    const now = this.#clock.nowMs();
    for (const entry of await this.#outbox.list()) {
      const sink = this.options.sinks[entry.channel];
      if (!sink || Date.parse(entry.nextAttemptAt) > now) {
        if (!sink) this.#log(`alerts: outbox message ${entry.message.id} is for channel ${entry.channel}, which the rules no longer define; kept`);
        report.outboxLeft += 1;
        continue;
      }
      const result = await deliverWithRetry(sink, entry.message, this.options.retry ?? DEFAULT_RETRY);
      if (result.ok || result.refused) {
        await this.#outbox.remove(entry);
        if (result.ok) report.outboxDelivered += 1;
        else this.#log(`alerts: ${entry.channel}: outbox message ${entry.message.id} removed: ${result.error}`);
      } else {
        await this.#outbox.failedAgain(entry, result, now);
        report.outboxLeft += 1;
        this.#log(`alerts: ${entry.channel}: outbox message ${entry.message.id} failed again (${entry.attempts + result.attempts} attempts): ${result.error}`);
      }
    }
    const groups = new Map<string, HeldAlert[]>();
    for (const held of await this.#held.list()) {
      const key = `${held.channel}\n${held.reason}`;
      groups.set(key, [...(groups.get(key) ?? []), held]);
    }
    for (const [key, held] of groups) {
      const [name, reason] = key.split("\n") as [string, SummaryReason];
      const channel = this.options.rules.channels[name];
      if (!channel || !this.options.sinks[name]) {
        this.#log(`alerts: ${held.length} alert(s) held for channel ${name}, which the rules no longer define; kept`);
        continue;
      }
      if (!(await this.#due(name, channel, reason, held, now))) continue;
      const message = summary(
        reason,
        held.map((h) => h.alert),
        randomUUID(),
      );
      // Sent or queued in the outbox, the held alerts are accounted for: the outbox keeps them now.
      if (await this.#send(name, message, report)) report.summariesSent += 1;
      await this.#held.remove(held);
    }
    return report;
  }

  async #due(name: string, channel: ChannelRule, reason: SummaryReason, held: HeldAlert[], now: number): Promise<boolean> {
    switch (reason) {
      case "quiet-hours":
        return !inQuietHours(channel, now);
      case "burst":
        return (await this.#take(name, channel, now, 1)) === 1;
      case "digest": {
        const at = channel.digest?.at;
        if (!at) return true;
        const since = Math.min(...held.map((h) => h.heldAtMs));
        return this.#ledger.updateChannel(name, (state) => {
          const due = digestDue(at, Math.max(state.lastDigestMs, since), now);
          return { state: due ? { ...state, lastDigestMs: now } : state, result: due };
        });
      }
    }
  }
}
