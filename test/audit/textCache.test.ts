import { describe, expect, it } from "vitest";
import { TextCache } from "../../src/audit/parse/textCache.js";

describe("TextCache", () => {
  it("answers every key with its own value, whatever slots the keys share", () => {
    let made = 0;
    const cache = new TextCache((key: string) => {
      made++;
      return key.toUpperCase();
    });
    // Keys alike but for one character, and more of them than the table has slots.
    const keys = Array.from({ length: 10_000 }, (_, i) => `/subscriptions/s/vaults/v-${i}`);
    for (let round = 0; round < 2; round++) for (const key of keys) expect(cache.get(JSON.parse(JSON.stringify(key)) as string)).toBe(key.toUpperCase());
    expect(made).toBe(keys.length);
  });

  it("caches undefined values, and starts again past its limit", () => {
    let made = 0;
    const cache = new TextCache((key: string) => {
      made++;
      return key === "none" ? undefined : key.length;
    }, 3);
    expect([cache.get("none"), cache.get("none"), cache.get("a"), cache.get("")]).toEqual([undefined, undefined, 1, 0]);
    expect(made).toBe(3);
    cache.get("bb");
    expect(cache.size).toBe(1);
    expect(cache.get("none")).toBeUndefined();
    expect(made).toBe(5);
  });
});
