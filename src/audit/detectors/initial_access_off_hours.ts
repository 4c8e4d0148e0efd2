/**
 * @module Off-hours access: a principal active at an hour of the week where its profile over the baseline
 * window is empty, judged on the neighbouring hours of all weekdays (or all weekend days), so a profile
 * learned over two weeks is not too sparse to trust. Hours older than the window are forgotten, so a job
 * that stopped running at night makes the night unusual again.
 */
import { weekHourOfDay } from "../baseline.js";
import { principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

/** Hour of the week, 0 = Sunday 00:00 UTC. */
export function hourOfWeek(ms: number): number {
  const hours = Math.floor(ms / 3_600_000);
  return weekHourOfDay(Math.floor(hours / 24)) + (hours % 24);
}

function isWeekend(day: number): boolean {
  return day === 0 || day === 6;
}

/** Events in the profile at hours h-1..h+1 of every day of the same kind (weekday or weekend). */
export function neighbourhood(profile: readonly number[], how: number): number {
  const day = Math.floor(how / 24);
  const hour = how % 24;
  let sum = 0;
  for (let d = 0; d < 7; d++) {
    if (isWeekend(d) !== isWeekend(day)) continue;
    for (let h = hour - 1; h <= hour + 1; h++) sum += profile[d * 24 + ((h + 24) % 24)]!;
  }
  return sum;
}

export const detector: Detector = {
  id: "initial_access_off_hours",
  name: "Off-hours access",
  tactic: "initial_access",
  severity: "low",
  description:
    "A principal with an established rhythm acts at an hour of the week where its learned hour-of-week profile (neighbouring hours on days of the same kind) is empty.",
  falsePositives: ["On-call work and incident response", "Batch jobs moved to a new schedule"],
  references: ["detection.md: others worth adding (off-hours access per principal)"],
  thresholds: { minEvents: { value: 50, description: "events the principal's profile must hold before it is trusted" } },
  usesBaseline: true,
  handles: (operation) => operation !== "Authentication",
  create: () => {
    // Per principal, for today: the window's profile plus today's events so far, today's hour counts in the
    // baseline, and the hours of the week already known to be busy around (a profile only grows within a
    // day), so most records skip the neighbourhood sum.
    let day = Number.NaN;
    let known = new Map<string, { profile: number[]; today: number[]; busy: Uint8Array }>();
    return {
      step(r, ctx) {
        if (ctx.benign || r.operation === "Authentication") return;
        const principal = principalKey(r.principal);
        const today = Math.floor(r.timeMs / WINDOW.day);
        if (today !== day) {
          day = today;
          known = new Map();
        }
        let entry = known.get(principal);
        // A rescan of a day already counted starts from its counts.
        if (!entry)
          known.set(
            principal,
            (entry = { profile: ctx.baseline.weekProfile(principal, today), today: ctx.baseline.dayHours(principal, today), busy: new Uint8Array(168) }),
          );
        const { profile, busy } = entry;
        const how = hourOfWeek(r.timeMs);
        entry.today[how % 24]!++;
        if (busy[how]) {
          profile[how]!++;
          return;
        }
        const around = neighbourhood(profile, how);
        profile[how]!++;
        if (around > 0) busy[how] = 1;
        if (!ctx.warm || around > 0) return;
        const total = profile.reduce((a, b) => a + b, 0) - 1;
        if (total < ctx.thresholds.minEvents!) return;
        // Usual hours are those of other events than this one.
        const active = profile.map((n, i) => (n > (i === how ? 1 : 0) ? i % 24 : -1)).filter((h) => h >= 0);
        ctx.emit({
          record: r,
          subject: principal,
          windowMs: WINDOW.hour,
          summary: `${who(r)} acted on vault ${r.vault.name} at ${new Date(r.timeMs).toUTCString().slice(0, 22)} UTC, outside its usual hours`,
          baseline: { profileEvents: total, usualHoursUtc: [...new Set(active)].sort((a, b) => a - b), weekend: isWeekend(Math.floor(how / 24)) },
        });
      },
    };
  },
};
