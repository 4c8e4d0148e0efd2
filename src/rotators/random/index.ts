/**
 * @module `random`: a generated value (length, character classes, exclusions) for secrets that kvguard owns
 * end to end, such as a shared token both sides read from Key Vault. There is no target to set or revoke;
 * `test` proves the pending value meets the policy.
 */
import { randomInt } from "node:crypto";
import { ensureError } from "../../common/errors.js";
import type { Credential, SecretRotator } from "../types.js";
import { CLASSES, randomOptions, type RandomOptions } from "./options.js";

function alphabet(options: RandomOptions): Record<string, string> {
  return Object.fromEntries(options.classes.map((c) => [c, [...CLASSES[c]].filter((ch) => !options.exclude.includes(ch)).join("")]));
}

/** A value with at least one character of each class, the rest from all, shuffled; crypto-random throughout. */
export function generate(options: RandomOptions): string {
  const sets = alphabet(options);
  const all = Object.values(sets).join("");
  const chars = Object.values(sets).map((set) => set[randomInt(set.length)]!);
  while (chars.length < options.length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join("");
}

function check(options: RandomOptions, credential: Credential): void {
  const sets = alphabet(options);
  const value = credential.value;
  if ([...value].length !== options.length) throw new Error(`the value is not ${options.length} characters long`);
  for (const [name, set] of Object.entries(sets)) {
    if (![...value].some((ch) => set.includes(ch))) throw new Error(`the value has no ${name} character`);
  }
  if ([...value].some((ch) => options.exclude.includes(ch))) throw new Error("the value holds an excluded character");
}

export const randomRotator: SecretRotator = {
  name: "random",
  credentials: "single",
  parseOptions(options) {
    const parsed = randomOptions.safeParse(options);
    if (!parsed.success) throw new Error(`random rotator options: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    return parsed.data;
  },
  create(ctx) {
    return Promise.resolve({ value: generate(ctx.options as RandomOptions), metadata: {} });
  },
  set() {
    return Promise.resolve();
  },
  test(ctx, credential, which) {
    // The current value may predate the policy (set by hand); only what kvguard generates must meet it.
    // A failed check rejects (never throws): callers chain on the promise (`test(...).then(ok, failed)`).
    try {
      if (which === "pending") check(ctx.options as RandomOptions, credential);
    } catch (error) {
      return Promise.reject(ensureError(error));
    }
    return Promise.resolve();
  },
  revoke() {
    return Promise.resolve();
  },
};
