/**
 * @module index.ts registers every entry of the function table with the matching public `app.*` call, each
 * handler behind the log boundary: whatever a handler logs reaches the host as one escaped line.
 */
import { app, HttpRequest, InvocationContext, type EventGridHandler, type HttpHandler, type StorageQueueHandler, type TimerHandler } from "@azure/functions";
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
      expect(spies[definition.kind]).toHaveBeenCalledWith(definition.name, expect.objectContaining({ handler: expect.any(Function) as unknown }));
    }
    expect(spies.http).toHaveBeenCalledWith("health", expect.objectContaining({ methods: ["GET"], authLevel: "function", route: "health" }));
  });

  it("puts the table's handlers behind the log boundary: a request cannot forge a log line", async () => {
    const { registerFunctions } = await import("../../src/functions/index.js");
    registerFunctions();
    const registered = spies.http.mock.calls.find(([name]) => name === "rotateNow")![1].handler;
    const logs: string[] = [];
    const context = new InvocationContext({ functionName: "rotateNow", logHandler: (level, ...args) => logs.push(`${level}: ${args.join(" ")}`) });
    // The host decodes the route: %0A arrives as a line feed, %1B as ESC.
    const name = "x\n12:00:00 [rotateNow] rotate local/db-admin: rotated\u001b[2J";
    const request = new HttpRequest({ method: "POST", url: "http://localhost:7071/api/rotate/local/x", params: { vault: "local", name } });
    const response = await registered(request, context);
    expect(response).toMatchObject({ status: 400 });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain("x\\n12:00:00 [rotateNow] rotate local/db-admin: rotated\\u001b[2J");
    expect([...logs[0]!].some((c) => c === "\n" || c === "\u001b")).toBe(false);
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
    const handler = expect.any(Function) as unknown;
    expect(spies.timer).toHaveBeenCalledWith("rotateDue", { schedule: "0 */5 * * * *", runOnStartup: false, retry, handler });
    expect(spies.storageQueue).toHaveBeenCalledWith("rotateOne", { queueName: "rotations", connection: "AzureWebJobsStorage", handler });
    expect(spies.eventGrid).toHaveBeenCalledWith("vaultEvents", { handler });
    // No route: the host then routes by name; an explicit `route: undefined` is not passed on.
    expect(spies.http).toHaveBeenCalledWith("status", { methods: ["GET", "POST"], authLevel: "admin", handler });
  });

  it("hands each handler its trigger, the same context with escaped logs, and its result", async () => {
    const { registerFunctions } = await import("../../src/functions/index.js");
    const seen: unknown[] = [];
    const handler: StorageQueueHandler = (message, context) => {
      seen.push(message, context.invocationId);
      context.warn("job", { tag: "a\rb" }, "ends\u2028here");
      context.log("multi\nline");
      return "done";
    };
    registerFunctions([{ kind: "storageQueue", name: "rotateOne", queueName: "rotations", connection: "AzureWebJobsStorage", handler }]);
    const registered = spies.storageQueue.mock.calls[0]![1].handler;
    const logs: string[] = [];
    const context = new InvocationContext({ invocationId: "inv-1", logHandler: (level, ...args) => logs.push(`${level}: ${args.join("|")}`) });
    expect(await registered({ n: 1 }, context)).toBe("done");
    expect(seen).toEqual([{ n: 1 }, "inv-1"]);
    expect(logs).toEqual(["warning: job { tag: 'a\\rb' } ends\\u2028here", "information: multi\\nline"]);
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
