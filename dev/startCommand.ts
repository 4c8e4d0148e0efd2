/**
 * @module `kvguard start` (what `npm start` runs): the local stack (local Key Vault, Azurite, the local
 * Functions runner with every function of the table), a seeded demo vault, and what kvguard rotates and why
 * as it happens, until Ctrl-C. `--fast` moves the vault's clock a day per second; `--once` plays the story
 * to its end (an event, an on-demand and scheduled rotations) and exits, for tests and CI.
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureError } from "../src/common/errors.js";
import { oneLine } from "../src/common/logText.js";
import { demoSettings, startDemos, type RunningDemos } from "./demo/index.js";
import { DEMO_STATUS_PAGE, writeDemoStatusPage } from "./demo/statusDemo.js";
import { describeRow, followHistory } from "./historyFeed.js";
import { DEFAULT_FUNCTIONS_PORT } from "./runner/runner.js";
import { startStack, type Stack } from "./stack.js";
import type { HistoryRow } from "../src/rotation/history.js";
import { DEMO_OBJECTS, seedDemoVault, type SeedOutcome } from "./demo/seed.js";

const DEMO_VAULT = "demo";
const DAY = 86_400;
/** `--once` jumps the clock past the longest demo period (the key's 90 days). */
const ONCE_JUMP_DAYS = 91;

type Out = NodeJS.WritableStream;

/** Resolves when `done` holds for the rotations seen so far; rejects after `timeoutMs` naming `what`. */
function waitForRotations(rotations: HistoryRow[], done: (rows: HistoryRow[]) => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (done(rotations)) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 200);
    };
    check();
  });
}

function rotated(name: string, trigger?: string): (rows: HistoryRow[]) => boolean {
  return (rows) => rows.some((r) => r.name === name && (trigger === undefined || r.trigger === trigger));
}

function printStack(stack: Stack, stateDir: string, out: Out): void {
  const say = (line: string) => out.write(`  ${line}\n`);
  say(`Local Key Vault "${DEMO_VAULT}": ${stack.vaultUrl}  (state in ${stateDir}/; delete it to start over)`);
  const port = (endpoint: string) => new URL(endpoint).port;
  const { blobEndpoint, queueEndpoint, tableEndpoint } = stack.azurite;
  say(`Azurite: blob, queue and table on 127.0.0.1 ports ${[blobEndpoint, queueEndpoint, tableEndpoint].map(port).join(", ")}  (data in ${stateDir}/azurite)`);
  say(`Functions runner: ${stack.runner.baseUrl}  (HTTP function keys are not checked locally: any ?code= works)`);
  for (const f of stack.runner.functions) say(`  ${f.name.padEnd(20)} ${f.kind.padEnd(13)} ${f.trigger}`);
  for (const f of stack.runner.failed) say(`  ${f.name.padEnd(20)} NOT RUNNING   ${f.error}`);
  say(`Key Vault's near-expiry and expiry events are subscribed to the Event Grid function's webhook`);
  say(`exportOut sends kvguard's own events to the local topic kvguard-events (saved under out/events/) and history and findings to the local cloud's tables`);
}

const SEED_LABELS: Record<SeedOutcome, string> = { seeded: "seeded now", kept: "kept", differs: "kept", deleted: "deleted" };
const SEED_NOTES: Partial<Record<SeedOutcome, string>> = {
  differs: " (its tags are not the demo's: delete the state folder to reseed)",
  deleted: " (it is in soft delete: delete the state folder to reseed)",
};

function printDemo(seeded: Map<string, SeedOutcome>, out: Out): void {
  out.write(`\nDemo vault "${DEMO_VAULT}" (values are random and never printed)\n`);
  for (const o of DEMO_OBJECTS) {
    const label = `${o.kind === "secret" ? "" : `${o.kind} `}${o.name}`;
    const outcome = seeded.get(o.name) ?? "kept";
    out.write(`  ${label.padEnd(24)} ${SEED_LABELS[outcome].padEnd(11)} ${o.story}${SEED_NOTES[outcome] ?? ""}\n`);
  }
}

function printHelp(stack: Stack, stateDir: string, out: Out): void {
  const say = (line: string) => out.write(`  ${line}\n`);
  out.write(`\nLook around, from another terminal in this folder:\n`);
  say(`. ${stateDir}/kvguard.env            # this stack's settings, for the CLI`);
  say(`npx kvguard history ${DEMO_VAULT}             # rotation history, newest first (no values: an HMAC)`);
  say(`npx kvguard status                   # per-object status: last success, last error, next due`);
  say(`curl -X POST ${stack.runner.baseUrl}/api/rotate/${DEMO_VAULT}/api-token     # rotate now (rotateNow)`);
  say(`curl ${stack.runner.baseUrl}/api/health`);
  say(`npx kvguard audit ${stateDir}/audit             # the audit pipeline over the vault's audit logs`);
  say(`npx kvguard report --out out/reports       # compliance report (HTML, CSV, JSON, PDF)`);
  say(`npx kvguard plan                     # what rotates, expires or is revoked in the next 30 days`);
  say(`npx kvguard status --html ${DEMO_STATUS_PAGE}   # the status page (also: ${stack.runner.baseUrl}/api/status)`);
  say(`npx kvguard doctor                   # check the settings, roles, storage and audit sources`);
  say(`npx kvguard export                   # send new events and rows now (exportOut does it every 10 s)`);
  say(`curl --cacert ${stateDir}/ca.pem ${stack.cloud.url}/management/monitor/tables/KvguardRotation_CL   # the rows ingested`);
  say(`curl --cacert ${stateDir}/ca.pem -X POST ${stack.vaultUrl}/management/clock/advance -d '{"seconds":2592000}'   # 30 days on`);
}

/** `--once`: the event-driven rotation, one on demand over HTTP, then the scheduled ones after a clock jump. */
async function playOnce(
  stack: Stack,
  seeded: Map<string, SeedOutcome>,
  demos: RunningDemos,
  rotations: HistoryRow[],
  timeoutMs: number,
  out: Out,
): Promise<void> {
  const note = (line: string) => out.write(`--- ${line}\n`);
  if (seeded.get("payments-db-password") === "seeded") {
    await waitForRotations(rotations, rotated("payments-db-password"), "payments-db-password to rotate", timeoutMs);
  }
  note(`POST ${stack.runner.baseUrl}/api/rotate/${DEMO_VAULT}/api-token (rotateNow)`);
  const response = await fetch(`${stack.runner.baseUrl}/api/rotate/${DEMO_VAULT}/api-token?code=local`, { method: "POST" });
  if (response.status !== 200) throw new Error(`rotateNow answered ${response.status}: ${await response.text()}`);
  await waitForRotations(rotations, rotated("api-token", "manual"), "the on-demand rotation of api-token", timeoutMs);
  // edge-tls, a three-month certificate without AutoRenew, nears its expiry in the jump: kvguard renews it.
  const renewing = seeded.get("edge-tls") === "deleted" ? [] : ["edge-tls"];
  const due = ["api-token", "orders-signing-key", ...demos.rotating, ...renewing];
  note(
    `moving the vault's clock ${ONCE_JUMP_DAYS} days on: api-token (every 30 days), orders-signing-key (every 90) and the demos' credentials fall due${renewing.length ? ", and the certificate edge-tls nears its expiry" : ""}`,
  );
  stack.kv.clock.advance(ONCE_JUMP_DAYS * DAY);
  const jumpedMs = stack.kv.clock.nowMs();
  const afterJump = (rows: HistoryRow[]) => rows.filter((r) => Date.parse(r.at) >= jumpedMs);
  // The sweep or Key Vault's Expired event, whichever comes first (api-token has expired by then too).
  await waitForRotations(
    rotations,
    (rows) => due.every((name) => rotated(name)(afterJump(rows))),
    `${due.join(", ")} to rotate after the clock jump`,
    timeoutMs,
  );
  await demos.revokeWaiting?.(timeoutMs);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

export async function startCommand(args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      state: { type: "string", default: ".kvguard" },
      port: { type: "string", default: "0" },
      "functions-port": { type: "string", default: String(DEFAULT_FUNCTIONS_PORT) },
      fast: { type: "boolean" },
      once: { type: "boolean" },
      timeout: { type: "string", default: "120" },
    },
    strict: true,
  });
  const stateDir = relative(process.cwd(), values.state) || ".";
  // Function logs and rotations wait until the stack and the demo are described, then follow them. Each is
  // one escaped line: history messages and logs can quote tags.
  let held: string[] | undefined = [];
  const write = (line: string) => (held ? held.push(oneLine(line)) : out.write(`${oneLine(line)}\n`));
  const flush = () => {
    for (const line of held ?? []) out.write(`${line}\n`);
    held = undefined;
  };
  const schedule = process.env.KVGUARD_ROTATION_SCHEDULE?.trim();
  out.write("kvguard local stack\n");
  const stack = await startStack({
    stateDir: values.state,
    vault: DEMO_VAULT,
    vaultPort: Number(values.port),
    functionsPort: Number(values["functions-port"]),
    settings: { ...demoSettings(resolve(values.state)), ...(schedule ? { KVGUARD_ROTATION_SCHEDULE: schedule } : {}) },
    write,
  }).catch((error: unknown) => {
    flush();
    throw error;
  });
  const rotations: HistoryRow[] = [];
  let fast: NodeJS.Timeout | undefined;
  let demos: RunningDemos | undefined;
  const feed = followHistory(stack.service.history.table, (row) => {
    // A new live version (a finish that only closed a crashed run's pending credential has no previous one).
    if (row.step === "finish" && row.outcome === "ok" && row.previousVersion) rotations.push(row);
    const line = describeRow(row);
    if (line) write(line);
  });
  const statusPage = () => writeDemoStatusPage(stack.app).catch((error: unknown) => `status page not written: ${ensureError(error).message}`);
  try {
    printStack(stack, stateDir, out);
    const seeded = await seedDemoVault(stack.kv, stack.vaultUrl);
    printDemo(seeded, out);
    demos = await startDemos({ stack, vault: DEMO_VAULT, stateDir: values.state, write });
    printHelp(stack, stateDir, out);
    if (values.fast) {
      let days = 0;
      fast = setInterval(() => {
        stack.kv.clock.advance(DAY);
        if (++days % 10 === 0) write(`--- vault clock ${new Date(stack.kv.clock.nowMs()).toISOString().slice(0, 10)} (${days} days on)`);
      }, 1000);
      out.write(`\n--fast: the vault's clock moves one day per second; api-token falls due within a minute.\n`);
    }
    out.write(`\nWhat happens (function logs; ROTATED, REVOKED and FAILED lines from the rotation history):\n`);
    flush();
    if (values.once) {
      const played = await playOnce(stack, seeded, demos, rotations, Number(values.timeout) * 1000, out).then(
        () => undefined,
        (error: unknown) => ensureError(error).message,
      );
      if (played !== undefined) {
        out.write(`\n--once did not finish: ${played}\n`);
        return 1;
      }
      // The status page as the demo left things: what rotated, what the 91 days ahead make due, the findings.
      write(await statusPage());
      for (const line of await stack.telemetry.summary()) write(line);
      out.write(
        `\nDone: ${rotations.length} rotations (${["event", "schedule", "manual"].map((t) => `${t}: ${rotations.filter((r) => r.trigger === t).length}`).join(", ")}).\n`,
      );
    } else {
      write(await statusPage());
      out.write(`Running until Ctrl-C.\n`);
      await untilSignal();
    }
    return 0;
  } finally {
    clearInterval(fast);
    await demos?.stop();
    await feed.stop();
    await stack.stop();
    flush();
    out.write(`Stopped. State kept in ${stateDir}/ (delete it to start over).\n`);
  }
}
