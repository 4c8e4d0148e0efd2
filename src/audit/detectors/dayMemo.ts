/**
 * @module A memo of per-day verdicts keyed by up to three strings, in nested maps so that the common case
 * (a principal doing again today what it did before) costs three lookups on strings the record already
 * holds, instead of building a key string and asking the baseline for every record.
 */

export class DayMemo<T> {
  #day = Number.NaN;
  #root = new Map<string, Map<string, Map<string, T>>>();

  /**
   * The verdict for (a, b, c) today, computed once a day.
   * @param day - the record's day number; a new day forgets every verdict
   * @param compute - asks the baseline (and records the sighting there) on the first sighting of the day
   */
  get(day: number, a: string, b: string, c: string, compute: () => T): T {
    if (day !== this.#day) {
      this.#day = day;
      this.#root = new Map();
    }
    let level1 = this.#root.get(a);
    if (!level1) this.#root.set(a, (level1 = new Map<string, Map<string, T>>()));
    let level2 = level1.get(b);
    if (!level2) level1.set(b, (level2 = new Map<string, T>()));
    let value = level2.get(c);
    if (value === undefined && !level2.has(c)) level2.set(c, (value = compute()));
    return value as T;
  }
}
