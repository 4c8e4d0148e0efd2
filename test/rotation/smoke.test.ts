import { afterAll, beforeAll, expect, it } from "vitest";
import { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack.stop());

it("rotates a random secret on demand", async () => {
  const service = await RotationService.create(stack.config, { env: stack.env, clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: () => undefined });
  const { secrets } = stack.tv.clients({ name: "kvguard" });
  const first = await secrets.setSecret("api-token", "initial-value", { tags: { "kvguard-rotator": "random", "kvguard-options": "length=24" } });
  const result = await service.rotateNow("local", "api-token");
  expect(result.outcome).toBe("rotated");
  const live = await secrets.getSecret("api-token");
  expect(live.properties.version).toBe(result.version);
  expect(live.value).toHaveLength(24);
  expect(live.properties.tags?.["kvguard-previous-version"]).toBe(first.properties.version);
  const history = await service.history.list({ vault: "local", name: "api-token" });
  console.log(history.map((h) => `${h.step} ${h.outcome} ${h.message}`).join("\n"));
  const report = await service.sweep();
  console.log(JSON.stringify(report));
});
