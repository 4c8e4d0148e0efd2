/**
 * @module Rotation windows: when scheduled rotations may run, in UTC, as `[DAYS ]HH:MM-HH:MM`, such as
 * `02:00-05:00` or `Sat,Sun 01:00-06:00` or `Mon-Fri 22:00-02:00` (a window may cross midnight; its days
 * are the days it opens on).
 */

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export interface RotationWindow {
  /** Days of the week it opens on, 0 = Sunday. */
  days: number[];
  startMinute: number;
  endMinute: number;
  text: string;
}

function minutes(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`"${hhmm}" is not a time of day (HH:MM, 00:00-23:59)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function day(name: string): number {
  const index = DAYS.indexOf(name.trim().slice(0, 3).toLowerCase());
  if (index < 0) throw new Error(`"${name}" is not a day (Mon, Tue, ... Sun)`);
  return index;
}

function days(spec: string): number[] {
  const result = new Set<number>();
  for (const part of spec.split(",")) {
    const [from, to] = part.split("-");
    if (to === undefined) result.add(day(from!));
    else
      for (let d = day(from!); ; d = (d + 1) % 7) {
        result.add(d);
        if (d === day(to)) break;
      }
  }
  return [...result].sort();
}

export function parseWindow(text: string): RotationWindow {
  const m = /^(?:(\S+)\s+)?(\d\d:\d\d)-(\d\d:\d\d)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a rotation window: use HH:MM-HH:MM, optionally after days (Sat,Sun 01:00-05:00)`);
  const startMinute = minutes(m[2]!);
  const endMinute = minutes(m[3]!);
  if (startMinute === endMinute) throw new Error(`rotation window "${text}" is empty`);
  return { days: m[1] ? days(m[1]) : [0, 1, 2, 3, 4, 5, 6], startMinute, endMinute, text: text.trim() };
}

export function isInWindow(window: RotationWindow, atMs: number): boolean {
  const at = new Date(atMs);
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  const today = at.getUTCDay();
  if (window.startMinute < window.endMinute) {
    return window.days.includes(today) && minute >= window.startMinute && minute < window.endMinute;
  }
  // Crossing midnight: open late on an opening day, or early on the day after one.
  return (window.days.includes(today) && minute >= window.startMinute) || (window.days.includes((today + 6) % 7) && minute < window.endMinute);
}
