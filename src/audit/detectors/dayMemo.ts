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

/**
 * Per pair of strings, the baseline key the caller built for it once and the day it was last touched, kept
 * across days: a pair's first sighting of a day then costs two lookups and a baseline lookup with a string
 * whose hash is already known, instead of building and hashing a new key string. Forgotten wholesale every
 * `forgetDays` days, so pairs no longer seen do not pile up.
 */
export interface PairEntry {
  /** The pair's baseline key, "" until the caller builds it. */
  key: string;
  /** The day (number) the pair was last touched, -1 when new. */
  day: number;
}

export class PairKeys {
  #root = new Map<string, Map<string, PairEntry>>();
  #since = Number.NaN;

  constructor(private readonly forgetDays: number) {}

  /**
   * The pair's entry; set its `key` when empty and update its `day` after touching the baseline.
   * @param day - the day number
   */
  entry(day: number, a: string, b: string): PairEntry {
    if (!(day - this.#since < this.forgetDays)) {
      this.#since = day;
      this.#root = new Map();
    }
    let slot = this.#root.get(a);
    if (!slot) this.#root.set(a, (slot = new Map<string, PairEntry>()));
    let entry = slot.get(b);
    if (!entry) slot.set(b, (entry = { key: "", day: -1 }));
    return entry;
  }
}
