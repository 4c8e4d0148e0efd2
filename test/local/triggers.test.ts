/**
 * @module The local runner's pieces without a stack: `%SETTING%` resolution, host.json, route templates,
 * NCRONTAB timing, history lines, and a runner over a synthetic table (retries, failures that stay local).
 */
import type { InvocationContext, RetryContext } from "@azure/functions";
import { afterEach, describe, expect, it } from "vitest";
import type { FunctionDefinition } from "../../src/functions/table.js";
import { resolveAppSettings } from "../../dev/runner/appSettings.js";
import { describeRow } from "../../dev/historyFeed.js";
import { readHostSettings, timeSpanMs } from "../../dev/runner/hostJson.js";
import { compileRoute } from "../../dev/runner/httpTrigger.js";
import { startLocalRunner, type LocalRunner } from "../../dev/runner/runner.js";
import { nextOccurrence } from "../../dev/runner/timerTrigger.js";
import { explained } from "../helpers/wait.js";

describe("app-setting expressions", () => {
  it("resolve from the environment, else the settings table's default, else fail naming the setting", () => {
    expect(resolveAppSettings("%KVGUARD_ROTATION_QUEUE%-poison", { KVGUARD_ROTATION_QUEUE: "jobs" })).toBe("jobs-poison");
    expect(resolveAppSettings("%KVGUARD_ROTATION_QUEUE%-poison", {})).toBe("kvguard-rotations-poison");
    expect(resolveAppSettings("%KVGUARD_ROTATION_SCHEDULE%", { KVGUARD_ROTATION_SCHEDULE: " " })).toBe("0 */15 * * * *");
    expect(resolveAppSettings("no expression", {})).toBe("no expression");
    expect(() => resolveAppSettings("%NOT_A_SETTING%", {})).toThrow("'%NOT_A_SETTING%' does not resolve to a value: set the app setting NOT_A_SETTING");
  });
});

describe("host.json", () => {
  it("gives the queue trigger's settings and the route prefix", () => {
    expect(timeSpanMs("00:00:05")).toBe(5000);
    expect(timeSpanMs("1.02:00:00.5")).toBe(93_600_500);
    expect(() => timeSpanMs("5s")).toThrow("is not a TimeSpan");
    expect(readHostSettings()).toEqual({
      queues: { maxPollingIntervalMs: 5000, visibilityTimeoutSeconds: 30, batchSize: 4, newBatchThreshold: 2, maxDequeueCount: 5 },
      routePrefix: "api",
    });
  });
});

describe("route templates", () => {
  it("match parameters, optional and catch-all segments, literals case-insensitively", () => {
    const rotate = compileRoute("rotate/{vault}/{name}");
    expect(rotate("/rotate/demo/api-token")).toEqual({ vault: "demo", name: "api-token" });
    expect(rotate("/ROTATE/demo/a%20b/")).toEqual({ vault: "demo", name: "a b" });
    expect(rotate("/rotate/demo")).toBeUndefined();
    expect(rotate("/rotate/demo/x/y")).toBeUndefined();
    expect(rotate("/rotate/demo/%zz")).toBeUndefined();
    expect(compileRoute("items/{id:int}/{tab?}")("/items/7")).toEqual({ id: "7" });
    expect(compileRoute("files/{*path}")("/files/a/b/c")).toEqual({ path: "a/b/c" });
  });
});

describe("NCRONTAB", () => {
  it("takes six fields, seconds first, in UTC", () => {
    expect(nextOccurrence("0 */15 * * * *", new Date("2026-01-01T00:00:10Z")).toISOString()).toBe("2026-01-01T00:15:00.000Z");
    expect(nextOccurrence("*/10 * * * * *", new Date("2026-01-01T00:00:10Z")).toISOString()).toBe("2026-01-01T00:00:20.000Z");
    expect(() => nextOccurrence("*/5 * * * *", new Date())).toThrow("six fields");
  });
});

describe("history lines", () => {
  const row = { vault: "demo", name: "api-token", rotationId: "r", at: "2027-01-02T03:04:05.000Z", trigger: "schedule" } as const;
  it("tell rotations, revokes and failures, and leave routine steps out", () => {
    expect(describeRow({ ...row, step: "finish", outcome: "ok", message: "m", version: "bbbbbbbbbbbb", previousVersion: "aaaaaaaaaaaa" })).toBe(
      "ROTATED   demo/api-token by schedule: version aaaaaaaa → bbbbbbbb (vault clock 2027-01-02)",
    );
    expect(describeRow({ ...row, step: "policy", outcome: "failed", message: "invalid rotation policy: x" })).toBe(
      "FAILED    demo/api-token by schedule: policy: invalid rotation policy: x",
    );
    expect(describeRow({ ...row, step: "create", outcome: "ok", message: "created a pending credential" })).toBeUndefined();
  });
});

describe("runner over a synthetic table", () => {
  let runner: LocalRunner | undefined;
  afterEach(() => runner?.stop());

  it("keeps running when a handler throws or a function cannot start, and retries a timer by its policy", async () => {
    const lines: string[] = [];
    const retries: (RetryContext | undefined)[] = [];
    let thirdTry!: () => void;
    const threeTries = new Promise<void>((resolve) => (thirdTry = resolve));
    const table: FunctionDefinition[] = [
      {
        kind: "timer",
        name: "flaky",
        schedule: "*/1 * * * * *",
        retry: { strategy: "fixedDelay", maxRetryCount: 2, delayInterval: 10 },
        handler: (_timer, context: InvocationContext) => {
          if (retries.push(context.retryContext) === 3) thirdTry();
          throw new Error("boom");
        },
      },
      { kind: "timer", name: "unresolved", schedule: "%NO_SUCH_SETTING%", handler: () => undefined },
      { kind: "storageQueue", name: "noStorage", queueName: "q", connection: "MissingStorage", handler: () => undefined },
      {
        kind: "http",
        name: "Echo",
        methods: ["POST"],
        authLevel: "anonymous",
        handler: async (req) => ({ jsonBody: { got: await req.text(), q: req.query.get("q") } }),
      },
      { kind: "http", name: "broken", methods: ["GET"], authLevel: "function", route: "broken/{id}", handler: () => Promise.reject(new Error("kaput")) },
    ];
    runner = await startLocalRunner({ table, env: {}, port: 0, write: (l) => lines.push(l) });
    expect(runner.failed).toEqual([
      { name: "unresolved", error: "'%NO_SUCH_SETTING%' does not resolve to a value: set the app setting NO_SUCH_SETTING" },
      { name: "noStorage", error: "the connection setting MissingStorage is not set" },
    ]);
    expect(runner.functions.map((f) => f.name)).toEqual(["flaky", "Echo", "broken"]);

    const echo = await fetch(`${runner.baseUrl}/api/echo?q=1`, { method: "POST", body: "hello" });
    expect(await echo.json()).toEqual({ got: "hello", q: "1" });
    const broken = await fetch(`${runner.baseUrl}/api/broken/7`);
    expect(broken.status).toBe(500);
    expect(await broken.text()).toBe("");
    expect(lines.some((l) => /\[broken\] ERROR failed: kaput$/.test(l))).toBe(true);

    await explained(threeTries, "three tries of the flaky timer", () => lines.join("\n"));
    expect(retries.slice(0, 3)).toEqual([
      { retryCount: 0, maxRetryCount: 2 },
      { retryCount: 1, maxRetryCount: 2 },
      { retryCount: 2, maxRetryCount: 2 },
    ]);
    expect((await fetch(`${runner.baseUrl}/api/echo`, { method: "POST" })).status).toBe(200);
  });
});
