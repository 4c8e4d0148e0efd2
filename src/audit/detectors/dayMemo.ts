/**
 * @module A memo of per-day verdicts keyed by up to three strings, in nested maps so that the common case
 * (a principal doing again today what it did before) costs three lookups on strings the record already
 * holds, instead of building a key string and asking the baseline for every record. `get` then, on a
 * miss, `remember`: no closure is made per record.
 */

export class DayMemo<T> {
  #day = Number.NaN;
  #root = new Map<string, Map<string, Map<string, T>>>();
  /** Where the last `get` looked, for `remember`. */
  #slot: Map<string, T> | undefined;
  #key = "";

  /**
   * The verdict for (a, b, c) today, or undefined on its first sighting of the day (then call `remember`).
   * @param day - the record's day number; a new day forgets every verdict
   */
  get(day: number, a: string, b: string, c: string): T | undefined {
    if (day !== this.#day) {
      this.#day = day;
      this.#root = new Map();
    }
    let level1 = this.#root.get(a);
    if (!level1) this.#root.set(a, (level1 = new Map<string, Map<string, T>>()));
    let level2 = level1.get(b);
    if (!level2) level1.set(b, (level2 = new Map<string, T>()));
    this.#slot = level2;
    this.#key = c;
    return level2.get(c);
  }

  /** Stores the verdict for what the last `get` missed, and returns it. */
  remember(value: T): T {
    this.#slot!.set(this.#key, value);
    return value;
  }
}
