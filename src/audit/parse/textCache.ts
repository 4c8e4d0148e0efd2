/**
 * @module A bounded cache keyed by text, for values that recur across millions of audit records (vaults,
 * objects, callers). V8 hashes each freshly parsed string in full the first time it is looked up, about 2 ns
 * a character; a direct-mapped table of recent keys, its slot picked from the length and five characters
 * and the key checked by comparing the text, answers most lookups without that hash. Keys that differ only
 * in characters it does not look at share a slot and miss each other; misses fall through to a Map.
 */

/** Slots in the direct-mapped table (a power of two). */
const SLOTS = 4096;

export class TextCache<T> {
  readonly #keys: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  readonly #values: (T | undefined)[] = new Array<T | undefined>(SLOTS).fill(undefined);
  readonly #map = new Map<string, T>();

  /**
   * @param make - the value of a key not cached (may be undefined; that is cached too)
   * @param limit - keys after which the cache starts again, so endless distinct text cannot grow it
   */
  constructor(
    readonly make: (key: string) => T,
    readonly limit = 50_000,
  ) {}

  get(key: string): T {
    const n = key.length;
    // Ids and names differ mostly at the end (a vault name in an ARM id) or anywhere (GUIDs).
    const mixed =
      Math.imul(n, 0x9e3779b1) +
      Math.imul(key.charCodeAt(n - 1), 0x85ebca6b) +
      Math.imul(key.charCodeAt(n - 2), 0xc2b2ae35) +
      Math.imul(key.charCodeAt(n >> 1), 0x27d4eb2f) +
      Math.imul(key.charCodeAt(n >> 2), 0x165667b1);
    const slot = (mixed >>> 7) & (SLOTS - 1);
    if (this.#keys[slot] === key) return this.#values[slot] as T;
    let value = this.#map.get(key);
    if (value === undefined && !this.#map.has(key)) {
      if (this.#map.size >= this.limit) this.clear();
      this.#map.set(key, (value = this.make(key)));
    }
    this.#keys[slot] = key;
    this.#values[slot] = value;
    return value as T;
  }

  get size(): number {
    return this.#map.size;
  }

  clear(): void {
    this.#map.clear();
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
  }
}
