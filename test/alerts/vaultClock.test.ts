/**
 * @module Alerts follow the service's clock: a rotation alert raised by a service on the local Key Vault's
 * clock (moved 200 days ahead, as the demo moves it) is dated on that clock, not the machine's: the card the
 * Teams webhook receives shows the vault's day.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { localDatabases } from "../helpers/operator.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, kvguardSecrets, serviceFor } from "../helpers/rotation.js";
import { startTeamsReceiver, type TeamsReceiver } from "./helpers/teamsReceiver.js";
import { DAY_MS } from "../../src/common/duration.js";

let stack: LocalStack;
let teams: TeamsReceiver;

beforeAll(async () => {
  teams = await startTeamsReceiver();
  stack = await startLocalStack({
    policy: localDatabases(["mysql"]),
    settings: {
      KVGUARD_ALERT_RULES: JSON.stringify({ channels: { ops: { type: "teams" } }, routes: [{ kinds: ["rotation-failed"], channels: ["ops"] }] }),
      KVGUARD_ALERT_TEAMS_WEBHOOKS: `ops=${teams.url}`,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await teams?.close();
});

it("a rotation alert carries the vault clock's time", async () => {
  stack.tv.kv.clock.advance((200 * DAY_MS) / 1000);
  await kvguardSecrets(stack).setSecret("unreachable", "unreachable-Vb73", {
    tags: { "kvguard-rotator": "mysql", CredentialId: "app", ProviderAddress: "127.0.0.1:1", "kvguard-options": "connectTimeout=2" },
  });
  const service = await serviceFor(stack, new Capture());
  await expect(service.rotateNow("local", "unreachable")).rejects.toThrow();
  const cards = teams.delivered().map((card) => JSON.stringify(card));
  expect(cards).toHaveLength(1);
  const vaultDay = new Date(stack.tv.kv.clock.nowMs()).toISOString().slice(0, 10);
  expect(cards[0]).toContain(vaultDay);
  expect(cards[0]).not.toContain(new Date().toISOString().slice(0, 10));
});
