/**
 * @module What a sweep saw, counted for the gauges: objects due, overdue (expired, or due for more than a
 * day) and expiring within 7 and 30 days, per vault and kind. Counts only, never names.
 */
import { DAY_MS } from "../common/duration.js";
import type { Telemetry } from "../telemetry/port.js";

const EXPIRY_WINDOWS_DAYS = [7, 30] as const;

type Kind = "secret" | "key" | "certificate";
interface Counts {
  due: number;
  overdue: number;
  expiring: Record<(typeof EXPIRY_WINDOWS_DAYS)[number], number>;
}

export class SweepCounts {
  readonly #counts = new Map<string, Counts>();

  constructor(readonly nowMs: number) {}

  #of(vault: string, kind: Kind): Counts {
    const key = `${vault}|${kind}`;
    let counts = this.#counts.get(key);
    if (!counts) this.#counts.set(key, (counts = { due: 0, overdue: 0, expiring: { 7: 0, 30: 0 } }));
    return counts;
  }

  /** One object listed: its expiry, and when its rotation falls due (undefined: no policy makes it due). */
  add(vault: string, kind: Kind, expiresOn: Date | undefined, dueAtMs: number | undefined): void {
    const counts = this.#of(vault, kind);
    const expiresMs = expiresOn?.getTime();
    if (dueAtMs !== undefined && dueAtMs <= this.nowMs) counts.due += 1;
    if ((expiresMs !== undefined && expiresMs <= this.nowMs) || (dueAtMs !== undefined && dueAtMs + DAY_MS <= this.nowMs)) counts.overdue += 1;
    for (const days of EXPIRY_WINDOWS_DAYS) {
      if (expiresMs !== undefined && expiresMs > this.nowMs && expiresMs <= this.nowMs + days * DAY_MS) counts.expiring[days] += 1;
    }
  }

  report(telemetry: Telemetry): void {
    const entries = [...this.#counts].map(([key, counts]) => {
      const [vault, kind] = key.split("|") as [string, Kind];
      return { attributes: { vault, kind }, counts };
    });
    telemetry.gauge(
      "kvguard.objects.due",
      entries.map((e) => ({ value: e.counts.due, attributes: e.attributes })),
    );
    telemetry.gauge(
      "kvguard.objects.overdue",
      entries.map((e) => ({ value: e.counts.overdue, attributes: e.attributes })),
    );
    telemetry.gauge(
      "kvguard.objects.expiring",
      entries.flatMap((e) => EXPIRY_WINDOWS_DAYS.map((days) => ({ value: e.counts.expiring[days], attributes: { ...e.attributes, within_days: days } }))),
    );
  }
}
