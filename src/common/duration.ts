/** @module ISO-8601 durations (P30D, PT12H, P1DT2H30M) or plain seconds, as the CLI accepts them. */

/** Milliseconds in a day (UTC days: no leap seconds, no daylight saving). */
export const DAY_MS = 86_400_000;

const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds in a duration; throws a message that shows the accepted forms. */
export function parseDurationSeconds(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const m = ISO.exec(text);
  if (!m || text.toUpperCase() === "P" || text.toUpperCase().endsWith("T")) {
    throw new Error(`"${text}" is not a duration: use seconds (3600) or ISO-8601 (P30D, PT12H, P1DT2H)`);
  }
  const [, w, d, h, min, s] = m.map((v) => Number(v ?? 0));
  return (w! * 7 + d!) * 86_400 + h! * 3600 + min! * 60 + s!;
}
