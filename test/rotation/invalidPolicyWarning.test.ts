/**
 * @module The rotationSweep function warns about an invalid policy once per change of its problems, not on
 * every sweep (every 10 seconds under `npm start`): the same problems sweep after sweep are one warning; an
 * edited tag with other problems warns again; the sweep report still lists the object each time.
 */
import type { Timer } from "@azure/functions";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useApp } from "../../src/app/index.js";
import { rotationSweepHandler } from "../../src/functions/rotationSweep.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, kvguardSecrets, appFor } from "../helpers/rotation.js";

let stack: LocalStack;
const capture = new Capture();
const timer = { isPastDue: false } as Timer;

beforeAll(async () => {
  stack = await startLocalStack();
  useApp(appFor(stack, capture));
});
afterAll(async () => {
  useApp(undefined);
  await stack?.stop();
});

const warnings = () => capture.texts.filter((t) => t.where === "rotationSweep warning" && t.text.startsWith("local/typo:"));

it("warns once per change of an invalid policy", async () => {
  const secrets = kvguardSecrets(stack);
  await secrets.setSecret("typo", "typo-value-Mf30", { tags: { "kvguard-rotator": "randon" } });
  for (let i = 0; i < 3; i++) await rotationSweepHandler(timer, capture.context("rotationSweep"));
  expect(warnings().map((w) => w.text)).toEqual([expect.stringContaining('unknown rotator "randon"')]);
  // Every sweep still counts it.
  expect(capture.texts.filter((t) => t.where === "rotationSweep information" && t.text.includes(", 1 invalid,")).length).toBe(3);

  await secrets.updateSecretProperties("typo", (await secrets.getSecret("typo")).properties.version!, {
    tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "soon" },
  });
  for (let i = 0; i < 2; i++) await rotationSweepHandler(timer, capture.context("rotationSweep"));
  expect(warnings()).toHaveLength(2);
  expect(warnings()[1]!.text).toContain('kvguard-rotate-every: "soon"');
});
