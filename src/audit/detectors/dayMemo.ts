/**
 * @module A memo of per-day verdicts keyed by two strings, in nested maps so that the common case (a
 * principal doing again today what it did before) costs two lookups on strings the record already holds,
 * instead of building a key string and asking the baseline for every record. `get` then, on a miss,
 * `remember`: no closure is made per record. A third key goes in a verdict that is itself a map.
 */

export class DayMemo<T> {
  #day = Number.NaN;
  #root = new Map<string, Map<string, T>>();
  /** Where the last `get` looked, for `remember`. */
  #slot: Map<string, T> | undefined;
  #key = "";

  /**
   * The verdict for (a, b) today, or undefined on its first sighting of the day (then call `remember`).
   * @param day - the record's day number; a new day forgets every verdict
   */
  get(day: number, a: string, b: string): T | undefined {
    if (day !== this.#day) {
      this.#day = day;
      this.#root = new Map();
    }
    let slot = this.#root.get(a);
    if (!slot) this.#root.set(a, (slot = new Map<string, T>()));
    this.#slot = slot;
    this.#key = b;
    return slot.get(b);
  }

  /** Stores the verdict for what the last `get` missed, and returns it. */
  remember(value: T): T {
    this.#slot!.set(this.#key, value);
    return value;
  }
}
