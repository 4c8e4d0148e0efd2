/**
 * @module Alerts follow the service's clock: a rotation alert raised by a service on the local Key Vault's
 * clock (moved 200 days ahead, as the demo moves it) is dated on that clock, not the machine's.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Alert } from "../../src/alerts/alert.js";
import type { Alerting } from "../../src/alerts/fromSettings.js";
import { useAlerting } from "../../src/alerts/notify.js";
import { localDatabases } from "../helpers/operator.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, kvguardSecrets, serviceFor } from "../helpers/rotation.js";

const DAY_MS = 86_400_000;
let stack: LocalStack;
const dispatched: Alert[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    policy: localDatabases(["mysql"]),
    settings: {
      KVGUARD_ALERT_RULES: JSON.stringify({ channels: { ops: { type: "teams" } }, routes: [{ kinds: ["rotation-failed"], channels: ["ops"] }] }),
      KVGUARD_ALERT_TEAMS_WEBHOOKS: "ops=https://example.invalid/hook",
    },
  });
  const dispatcher = { dispatch: (alerts: readonly Alert[]) => (dispatched.push(...alerts), Promise.resolve({ sent: alerts.length })) };
  useAlerting(() => Promise.resolve({ dispatcher, sinks: {}, close: () => undefined } as unknown as Alerting));
});
afterAll(async () => {
  useAlerting(() => Promise.resolve(undefined));
  await stack?.stop();
});

it("a rotation alert carries the vault clock's time", async () => {
  stack.tv.kv.clock.advance((200 * DAY_MS) / 1000);
  await kvguardSecrets(stack).setSecret("unreachable", "unreachable-Vb73", {
    tags: { "kvguard-rotator": "mysql", CredentialId: "app", ProviderAddress: "127.0.0.1:1", "kvguard-options": "connectTimeout=2" },
  });
  const service = await serviceFor(stack, new Capture());
  await expect(service.rotateNow("local", "unreachable")).rejects.toThrow();
  expect(dispatched.map((a) => a.kind)).toEqual(["rotation-failed"]);
  const at = Date.parse(dispatched[0]!.at);
  expect(Math.abs(at - stack.tv.kv.clock.nowMs())).toBeLessThan(60_000);
  expect(at - Date.now()).toBeGreaterThan(199 * DAY_MS);
});
