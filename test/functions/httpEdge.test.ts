/**
 * @module The HTTP surface as a caller on the network meets it, through the local runner with the app's
 * function table against a local Key Vault and Azurite: Key Vault's name rules checked before anything runs,
 * answers that carry neither SDK text nor a managed vault's name, log lines no request or tag can forge (in
 * the runner's output and in `kvguard history` and `status`), and the runner refusing requests not addressed
 * to itself (DNS rebinding, cross-site requests), with raw HTTP requests a browser would send.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionTable } from "../../src/functions/table.js";
import { startLocalRunner, type LocalRunner } from "../../dev/runner/runner.js";
import { createApp, useApp, type App } from "../../src/app/index.js";
import type { RotationService } from "../../src/rotation/service.js";
import { runCli } from "../helpers/cli.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { vaultEvent } from "../helpers/rotation.js";
import { admin } from "../helpers/webhookReceiver.js";

let stack: LocalStack;
let runner: LocalRunner;
let app: App;
let service: RotationService;
/** How many times the functions asked for the rotation service since the last reset. */
let serviceAsked = 0;
const lines: string[] = [];
const secrets = () => stack.tv.clients({ name: "kvguard" }).secrets;

interface Answer {
  status: number;
  text: string;
  json(): Record<string, unknown>;
}

/** A raw HTTP/1.1 request to the runner, headers exactly as given (fetch would not send a foreign Host). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body = ""): Promise<Answer> {
  const port = Number(new URL(runner.baseUrl).port);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const rotate = (path: string, headers?: Record<string, string>) => raw("POST", `/api/rotate/${path}`, headers);

async function liveVersion(name: string): Promise<string> {
  return (await secrets().getSecret(name)).properties.version!;
}

beforeAll(async () => {
  stack = await startLocalStack({ settings: { KVGUARD_ROTATION_SCHEDULE: "0 0 0 1 1 *" } });
  const kv = stack.tv.kv;
  app = createApp(stack.env, { clock: { nowMs: () => kv.clock.nowMs() }, log: (l) => lines.push(l), lockWaitMs: 2000 });
  service = await app.rotation();
  runner = await startLocalRunner({ table: functionTable, env: stack.env, port: 0, write: (line) => lines.push(line) });
});

afterAll(async () => {
  await runner?.stop();
  await stack?.stop();
  useApp(undefined);
});

describe("POST /api/rotate/{vault}/{name}", () => {
  it("checks both names against Key Vault's rules before anything else, and says which rule", async () => {
    useApp({
      ...app,
      rotation: () => {
        serviceAsked += 1;
        return app.rotation();
      },
    });
    serviceAsked = 0;
    const cases: [path: string, rule: string][] = [
      ["ab/api-token", "invalid vault name: a vault name has 3 to 24 characters"],
      [`${"v".repeat(25)}/api-token`, "invalid vault name: a vault name has 3 to 24 characters"],
      ["my_vault/api-token", "invalid vault name: a vault name has only letters, digits and hyphens"],
      ["1vault/api-token", "invalid vault name: a vault name starts with a letter"],
      ["vault-/api-token", "invalid vault name: a vault name ends with a letter or digit"],
      ["my--vault/api-token", "invalid vault name: a vault name has no two hyphens in a row"],
      ["lo%0Acal/api-token", "invalid vault name: a vault name has only letters, digits and hyphens"],
      [`local/${"s".repeat(128)}`, "invalid object name: an object name has 1 to 127 characters"],
      ["local/db.password", "invalid object name: an object name has only letters, digits and hyphens"],
      ["local/db%20password", "invalid object name: an object name has only letters, digits and hyphens"],
      ["local/api-token?kind=certificates", "kind is secret (the default), key or certificate"],
    ];
    for (const [path, rule] of cases) {
      const answer = await rotate(path);
      expect(answer.status, path).toBe(400);
      expect(answer.json(), path).toEqual({
        error: `${rule}; use POST /api/rotate/{vault}/{name}, with ?kind=key for a key, ?kind=certificate for a certificate`,
      });
    }
    // Nothing behind the check ran: the rotation service was never asked for.
    expect(serviceAsked).toBe(0);
    expect((await rotate("local/no-such-secret")).status).toBe(404);
    expect(serviceAsked).toBe(1);
  });

  it("answers a vault kvguard does not manage with a 404 naming that vault only, never the managed ones", async () => {
    const answer = await rotate("othervault/api-token");
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({ error: "vault othervault is not one kvguard manages" });
    expect(answer.text).not.toMatch(/local|127\.0\.0\.1|KVGUARD_VAULT_URLS/);
  });

  it("answers a failure inside with a generic error and an id that finds the log line with the SDK's words", async () => {
    const first = await secrets().setSecret("edge-fail", "initial-edge-fail-Qw7e", { tags: { "kvguard-rotator": "random" } });
    // Key Vault refuses the pending credential's write once: the SDK's error names the operation and the fault.
    await admin(stack.tv.kv, "POST", "/management/faults", { status: 403, count: 1, match: "PUT /secrets/edge-fail--kvguard-pending" });
    const answer = await rotate("local/edge-fail");
    expect(answer.status).toBe(500);
    const body = answer.json();
    expect(Object.keys(body).sort()).toEqual(["error", "errorId"]);
    expect(body.error).toBe(`the rotation of local/edge-fail failed; kvguard's log line with error id ${String(body.errorId)} says why`);
    expect(answer.text).not.toMatch(/injected|Forbidden|https:|127\.0\.0\.1/);
    const logged = lines.filter((l) => l.includes(String(body.errorId)));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/\[rotateNow\] ERROR the rotation of local\/edge-fail failed \(error id [0-9a-f-]{36}\): .*injected fault/);
    expect(await liveVersion("edge-fail")).toBe(first.properties.version);
  });
});

describe("the Event Grid webhook", () => {
  it("answers a delivery that failed with 500 and no error text (Event Grid retries; the text is in the log)", async () => {
    useApp(app);
    const first = await secrets().setSecret("webhook-fail", "initial-webhook-fail-Tg8u", { tags: { "kvguard-rotator": "random" } });
    const event = vaultEvent(stack, { id: "evt-webhook-fail", name: "webhook-fail", version: first.properties.version! });
    await service.queue.delete();
    try {
      const answer = await raw(
        "POST",
        "/runtime/webhooks/eventgrid?functionName=onVaultEvent",
        { "aeg-event-type": "Notification", "Content-Type": "application/json" },
        JSON.stringify([event]),
      );
      expect(answer.status).toBe(500);
      expect(answer.text).toBe("the function failed; the runner's log says why");
      expect(lines.some((l) => /\[onVaultEvent\] ERROR failed: \S/.test(l))).toBe(true);
    } finally {
      await service.queue.create();
    }
    // Event Grid's retry now goes through.
    const retried = await raw(
      "POST",
      "/runtime/webhooks/eventgrid?functionName=onVaultEvent",
      { "aeg-event-type": "Notification", "Content-Type": "application/json" },
      JSON.stringify([event]),
    );
    expect(retried.status).toBe(202);
  });
});

describe("log lines", () => {
  it("no request path can forge a runner line or send a terminal escape", async () => {
    const forged = "00:00:00 [rotateNow] rotate local/db-admin: rotated";
    const answer = await rotate(`local/x${encodeURIComponent(`\n${forged}\r\u001b[2J\u2028`)}`);
    expect(answer.status).toBe(400);
    const refusal = lines.find((l) => l.includes("[rotateNow] warn rotate local/x"))!;
    expect(refusal).toContain(`x\\n${forged}\\r\\u001b[2J\\u2028`);
    for (const line of lines) {
      expect(
        [...line].filter((c) => "\n\r\u001b\u2028".includes(c)),
        "every line is one line",
      ).toEqual([]);
      expect(line.startsWith(forged), "no forged line").toBe(false);
    }
  });

  it("tag text in history and status prints as one line each in `kvguard history` and `kvguard status`", async () => {
    const forged = "2026-01-01T00:00:00.000Z  local/db-admin  finish  ok      rotated the database password";
    await secrets().setSecret("hostile-tag", "initial-hostile-tag-Zp3r", { tags: { "kvguard-rotator": `random\n${forged}\u001b[31m` } });
    const answer = await rotate("local/hostile-tag");
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ outcome: "invalid-policy" });

    const history = await runCli(["history", "local/hostile-tag"], { ...process.env, ...stack.env });
    expect(history.code, history.stderr).toBe(0);
    const printed = history.stdout.trimEnd().split("\n");
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(`unknown rotator "random\\n${forged}\\u001b[31m"`);
    expect(history.stdout.includes("\u001b")).toBe(false);

    const status = await runCli(["status", "local"], { ...process.env, ...stack.env });
    expect(status.code, status.stderr).toBe(0);
    const rows = status.stdout.trimEnd().split("\n");
    expect(rows.filter((r) => r.startsWith("local/hostile-tag "))).toHaveLength(1);
    expect(rows.some((r) => r.startsWith(forged.slice(0, 24)))).toBe(false);

    // JSON output stays JSON of the same value.
    const json = await runCli(["history", "local/hostile-tag", "--json"], { ...process.env, ...stack.env });
    const row = JSON.parse(json.stdout.trim()) as { message: string };
    expect(row.message).toContain(`random\n${forged}\u001b[31m`);
  });
});

describe("the runner answers only requests addressed to itself", () => {
  it("refuses a foreign Host (DNS rebinding) and a foreign Origin (a web page posting cross-site), and runs nothing", async () => {
    const port = new URL(runner.baseUrl).port;
    await secrets().setSecret("csrf-target", "initial-csrf-target-Hn4b", { tags: { "kvguard-rotator": "random" } });
    const before = await liveVersion("csrf-target");
    const attempts: [string, Record<string, string>][] = [
      ["rebinding: the attacker's host name, pointed at 127.0.0.1", { Host: `attacker.example:${port}` }],
      ["rebinding without a port", { Host: "attacker.example" }],
      ["the right host on another port", { Host: "127.0.0.1:1" }],
      ["cross-site: a page on another origin", { Origin: "https://attacker.example" }],
      ["cross-site: another local port", { Origin: "http://127.0.0.1:8080" }],
      ["a sandboxed page", { Origin: "null" }],
    ];
    for (const [what, headers] of attempts) {
      const answer = await rotate("local/csrf-target", headers);
      expect(answer.status, what).toBe(403);
      expect(answer.text, what).toMatch(/^refused: (Host|Origin) .* is not this runner's .*; the local runner answers only requests addressed to it$/);
    }
    const webhook = await raw(
      "POST",
      "/runtime/webhooks/eventgrid?functionName=onVaultEvent",
      { Origin: "https://attacker.example", "aeg-event-type": "Notification" },
      "[]",
    );
    expect(webhook.status).toBe(403);
    expect(await liveVersion("csrf-target")).toBe(before);
    expect(lines.filter((l) => l.startsWith("local runner: refused POST /api/rotate/local/csrf-target"))).toHaveLength(attempts.length);
  });

  it("serves its own origin, by IP or as localhost, and callers that send no Origin (curl, the SDKs, Event Grid)", async () => {
    const port = new URL(runner.baseUrl).port;
    const before = (await secrets().setSecret("own-origin", "initial-own-origin-Lp2c", { tags: { "kvguard-rotator": "random" } })).properties.version;
    const own = await rotate("local/own-origin", { Origin: `http://127.0.0.1:${port}` });
    expect(own.status).toBe(200);
    expect(own.json()).toMatchObject({ outcome: "rotated" });
    expect(await liveVersion("own-origin")).not.toBe(before);
    expect((await raw("GET", "/api/health", { Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await raw("GET", "/api/health")).status).toBe(200);
  });
});
