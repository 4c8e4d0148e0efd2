/** @module index.ts registers every entry of the function table with the matching public `app.*` call. */
import { app, type EventGridHandler, type HttpHandler, type StorageQueueHandler, type TimerHandler } from "@azure/functions";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FunctionDefinition } from "../../src/functions/table.js";

/** Spies on the registration calls; they record instead of reaching the host (or its test-mode warning). */
function spyOnApp() {
  return {
    http: vi.spyOn(app, "http").mockImplementation(() => undefined),
    timer: vi.spyOn(app, "timer").mockImplementation(() => undefined),
    storageQueue: vi.spyOn(app, "storageQueue").mockImplementation(() => undefined),
    eventGrid: vi.spyOn(app, "eventGrid").mockImplementation(() => undefined),
  };
}

let spies: ReturnType<typeof spyOnApp>;
beforeEach(() => {
  spies = spyOnApp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("functions/index", () => {
  it("registers every table entry once, with the call for its trigger, when the host loads it", async () => {
    const { functionTable } = await import("../../src/functions/table.js");
    await import("../../src/functions/index.js");
    const calls = Object.values(spies).reduce((n, spy) => n + spy.mock.calls.length, 0);
    expect(calls).toBe(functionTable.length);
    for (const definition of functionTable) {
      expect(spies[definition.kind]).toHaveBeenCalledWith(
        definition.name,
        expect.objectContaining({ handler: definition.handler }),
      );
    }
    expect(spies.http).toHaveBeenCalledWith("health", expect.objectContaining({ methods: ["GET"], authLevel: "function", route: "health" }));
  });

  it("passes each trigger kind's options to its app call", async () => {
    const { registerFunctions } = await import("../../src/functions/index.js");
    const timer: TimerHandler = () => undefined;
    const queue: StorageQueueHandler = () => undefined;
    const events: EventGridHandler = () => undefined;
    const http: HttpHandler = () => ({ status: 204 });
    const retry = { strategy: "fixedDelay", maxRetryCount: 3, delayInterval: { seconds: 10 } } as const;
    const table: FunctionDefinition[] = [
      { kind: "timer", name: "rotateDue", schedule: "0 */5 * * * *", runOnStartup: false, retry, handler: timer },
      { kind: "storageQueue", name: "rotateOne", queueName: "rotations", connection: "AzureWebJobsStorage", handler: queue },
      { kind: "eventGrid", name: "vaultEvents", handler: events },
      { kind: "http", name: "status", methods: ["GET", "POST"], authLevel: "admin", handler: http },
    ];
    registerFunctions(table);
    expect(spies.timer).toHaveBeenCalledWith("rotateDue", { schedule: "0 */5 * * * *", runOnStartup: false, retry, handler: timer });
    expect(spies.storageQueue).toHaveBeenCalledWith("rotateOne", { queueName: "rotations", connection: "AzureWebJobsStorage", handler: queue });
    expect(spies.eventGrid).toHaveBeenCalledWith("vaultEvents", { handler: events });
    // No route: the host then routes by name; an explicit `route: undefined` is not passed on.
    expect(spies.http).toHaveBeenCalledWith("status", { methods: ["GET", "POST"], authLevel: "admin", handler: http });
  });

  it("refuses a table with two functions of the same name", async () => {
    const { registerFunctions } = await import("../../src/functions/index.js");
    const handler: EventGridHandler = () => undefined;
    expect(() =>
      registerFunctions([
        { kind: "eventGrid", name: "vaultEvents", handler },
        { kind: "eventGrid", name: "VaultEvents", handler },
      ]),
    ).toThrow("function VaultEvents is in the table twice");
  });
});
