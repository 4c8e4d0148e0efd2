/**
 * @module Rotation benchmark (issue 3, "Measured"): BENCH_SECRETS secrets (default 10,000; BENCH_DUE of
 * them due, default a fifth) in a local Key Vault that throttles at Key Vault's documented limits (4,000
 * transactions per vault per 10 s), Azurite for kvguard's queue, tables and locks, and the kvguard side
 * (createRotationService + sweep + drainQueue with the configured concurrency) in this process.
 *
 *   1. seed: the emulator (child process, `--state DIR`, no throttling) gets the secrets over raw HTTPS;
 *   2. timed: the emulator restarts on the same state with `--throttle`, its clock moves 2 days so the
 *      `kvguard-rotate-every: P1D` secrets are due; sweep + drain is timed;
 *   3. events: a webhook here subscribes to SecretNearExpiry; the clock moves 9 more days, so BENCH_NEAR_EXPIRY
 *      secrets (exp 40 days after seeding) are near expiry; each event goes to `service.acceptEvents`, then
 *      the queue is drained; latency is event time → the live setSecret returned;
 *   4. checks: Key Vault operations from the emulator's audit log, versions per secret from its state file.
 *
 * Prints a summary, then one JSON object as the last line. Run: `npm run bench:rotation`.
 * BENCH_SECRETS, BENCH_DUE, BENCH_NEAR_EXPIRY shrink it; KVGUARD_ROTATION_CONCURRENCY is honoured as the app
 * would; BENCH_EMULATOR_NODE_ARGS passes node flags to the emulator (e.g. "--cpu-prof --cpu-prof-dir=prof");
 * BENCH_KEEP=1 keeps the state folder; BENCH_NO_THROTTLE=1 runs the timed part without throttling (what the
 * kvguard side can do on its own). Experiments, not the measured configuration: BENCH_OVERLAP=1 (drain while the sweep runs), BENCH_NO_STATE=1 (the
 * emulator without --state, seeding throttled).
 *
 * The machine is shared: the summary reports the CPU other processes used meanwhile and the CPU floor of the
 * local stack (emulator, Azurite and this process each single-threaded), so an inflated wall time can be told
 * from a slow engine. Requests are counted per rotation by service (bench/netStats.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startAzurite, type RunningAzurite } from "../emulator/azurite.js";
import { DevTokenCredential } from "../src/azure/devCredential.js";
import { LocalVaultClock } from "../src/azure/localClock.js";
import { loadConfig } from "../src/config/schema.js";
import type { RotationJob } from "../src/rotation/job.js";
import { createRotationService } from "../src/app/rotation.js";
import type { RotationService } from "../src/rotation/service.js";
import { drainQueue, type DrainReport } from "../src/state/queueWorker.js";
import { newJobTally, NetStats, type JobTally } from "./netStats.js";

const SECRETS = Number(process.env.BENCH_SECRETS ?? 10_000);
const DUE = Number(process.env.BENCH_DUE ?? Math.round(SECRETS / 5));
const NEAR_EXPIRY = Number(process.env.BENCH_NEAR_EXPIRY ?? 50);
const THROTTLE = process.env.BENCH_NO_THROTTLE !== "1";
const KEEP = process.env.BENCH_KEEP === "1";
/** Key Vault's documented limit: 4,000 transactions per vault per 10 s. */
const OPS_PER_SECOND = 400;
const DAY_S = 86_400;
const API = "?api-version=2025-07-01";
const VAULT = "bench";
const SEED_CONCURRENCY = 32;
/** Experiment: BENCH_NO_STATE=1 runs the emulator without --state (no state file written on every change); seeding is then throttled too. */
const NO_STATE = process.env.BENCH_NO_STATE === "1";
/** Experiment: BENCH_OVERLAP=1 drains while the sweep runs, as the queue trigger would in Azure (pays off when the sweep enqueues as it lists). */
const OVERLAP = process.env.BENCH_OVERLAP === "1";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- processes

interface Emulator {
  child: ChildProcess;
  url: string;
  port: number;
  ca: string;
  caFile: string;
  stop(): Promise<void>;
}

async function startEmulator(stateDir: string, auditDir: string, throttle: boolean): Promise<Emulator> {
  const nodeArgs = (process.env.BENCH_EMULATOR_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const args = [
    ...nodeArgs,
    CLI,
    "emulator",
    "--vault",
    VAULT,
    ...(NO_STATE ? [] : ["--state", stateDir]),
    "--audit-dir",
    auditDir,
    ...(throttle ? ["--throttle"] : []),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const ready = await new Promise<{ vaults: Record<string, string>; ca: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error("the emulator did not print its ready line within 60 s"));
    }, 60_000);
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as { vaults: Record<string, string>; ca: string });
    });
  });
  const url = ready.vaults[VAULT]!;
  return {
    child,
    url,
    port: Number(new URL(url).port),
    ca: readFileSync(ready.ca, "utf8"),
    caFile: ready.ca,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Peak resident set size (VmHWM) of a process in MB, from /proc; NaN elsewhere. */
function peakRssMb(pid: number | undefined): number {
  try {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) of a process, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Direct children of this process whose command line mentions `needle` (Azurite's pid is not exposed). */
function childPid(needle: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Busy CPU seconds of the whole machine (all cores) from /proc/stat, and the number of cores. */
function machineCpu(): { busy: number; cores: number } {
  try {
    const lines = readFileSync("/proc/stat", "utf8").split("\n");
    const f = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) / 100, cores: lines.filter((l) => /^cpu\d/.test(l)).length };
  } catch {
    return { busy: NaN, cores: NaN };
  }
}

// ---------------------------------------------------------------- raw HTTPS (seeding, admin API)

function call(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpsRequest(url, { method, agent, headers: { ...headers, ...(payload ? { "Content-Type": "application/json" } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

type Category = "due" | "near-expiry" | "not-due" | "no-policy";

interface SeedPlan {
  name: string;
  category: Category;
}

/** Spreads the categories over the name order, so due secrets are scattered through every list page. */
function plan(): SeedPlan[] {
  const out: SeedPlan[] = [];
  let due = 0;
  let near = 0;
  let others = 0;
  for (let i = 0; i < SECRETS; i++) {
    const name = `bench-${String(i).padStart(6, "0")}`;
    let category: Category;
    if (due < DUE && Math.floor(((i + 1) * DUE) / SECRETS) > due) {
      category = "due";
      due += 1;
    } else if (near < NEAR_EXPIRY && Math.floor((++others * NEAR_EXPIRY) / (SECRETS - DUE)) > near) {
      category = "near-expiry";
      near += 1;
    } else category = i % 2 === 0 ? "not-due" : "no-policy";
    out.push({ name, category });
  }
  return out;
}

async function seed(emulator: Emulator, secrets: SeedPlan[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: SEED_CONCURRENCY, ca: emulator.ca });
  const token = (await new DevTokenCredential({ name: "bench-seeder" }).getToken("https://vault.azure.net/.default")).token;
  const headers = { Authorization: `Bearer ${token}` };
  const nowS = Math.floor(Date.now() / 1000);
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < secrets.length) {
      const s = secrets[next++]!;
      const body: { value: string; tags: Record<string, string>; attributes?: { exp: number } } = {
        value: `seed-${s.name}-${"x".repeat(24)}`,
        tags: { owner: "bench", app: `app-${s.name.slice(-3)}` },
      };
      if (s.category === "due") Object.assign(body.tags, { "kvguard-rotator": "random", "kvguard-rotate-every": "P1D" });
      if (s.category === "not-due") Object.assign(body.tags, { "kvguard-rotator": "random", "kvguard-rotate-every": "P30D" });
      if (s.category === "near-expiry") {
        body.tags["kvguard-rotator"] = "random";
        body.attributes = { exp: nowS + 40 * DAY_S };
      }
      let res = await call(agent, `${emulator.url}/secrets/${s.name}${API}`, "PUT", headers, body);
      while (res.status === 429) {
        await sleep(1000);
        res = await call(agent, `${emulator.url}/secrets/${s.name}${API}`, "PUT", headers, body);
      }
      if (res.status !== 200) throw new Error(`seeding ${s.name} answered ${res.status}: ${JSON.stringify(res.json)}`);
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  agent.destroy();
  return performance.now() - started;
}

async function admin(emulator: Emulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const agent = new Agent({ ca: emulator.ca });
  try {
    const res = await call(agent, `${emulator.url}${path}`, method, {}, body);
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.json)}`);
    return res.json;
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------- audit log and state file

interface AuditLine {
  time: string;
  operationName: string;
  properties: { httpStatusCode: number; requestUri: string };
}

function auditRecords(root: string): AuditLine[] {
  const out: AuditLine[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".json")) {
        for (const line of readFileSync(path, "utf8").split("\n")) if (line) out.push(JSON.parse(line) as AuditLine);
      }
    }
  };
  walk(root);
  return out;
}

interface OpCount {
  /** Requests the vault admitted (counted against the throttle): not 429, not the token-less challenge. */
  ops: number;
  throttled: number;
  challenges: number;
  byOperation: Record<string, number>;
  /** SecretSet (200) per live secret name, pending companions apart. */
  setsByName: Map<string, number>;
}

function countOps(records: AuditLine[]): OpCount {
  const count: OpCount = { ops: 0, throttled: 0, challenges: 0, byOperation: {}, setsByName: new Map() };
  for (const r of records) {
    const status = r.properties.httpStatusCode;
    if (status === 429) {
      count.throttled += 1;
      continue;
    }
    if (r.operationName === "Authentication" || r.operationName.endsWith("EventGridNotification")) {
      if (r.operationName === "Authentication") count.challenges += 1;
      continue;
    }
    count.ops += 1;
    const key = r.operationName + (status >= 400 ? ` ${status}` : "");
    count.byOperation[key] = (count.byOperation[key] ?? 0) + 1;
    if (r.operationName === "SecretSet" && status === 200) {
      const name = new URL(r.properties.requestUri).pathname.split("/")[2]!.toLowerCase();
      if (!name.endsWith("--kvguard-pending")) count.setsByName.set(name, (count.setsByName.get(name) ?? 0) + 1);
    }
  }
  return count;
}

interface StateFile {
  vaults: { settings: { name: string }; secrets: { live: { name: string; versions: { attributes: { created: number } }[] }[] } }[];
}

function versionsByName(stateDir: string): Map<string, number> {
  const state = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8")) as StateFile;
  const vault = state.vaults.find((v) => v.settings.name.toLowerCase() === VAULT)!;
  return new Map(vault.secrets.live.map((e) => [e.name.toLowerCase(), e.versions.length]));
}

// ---------------------------------------------------------------- statistics

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : NaN;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), "kvguard-bench-rotation-"));
  const seedAudit = join(stateDir, "audit-seed");
  const runAudit = join(stateDir, "audit-run");
  const secrets = plan();
  const dueNames = new Set(secrets.filter((s) => s.category === "due").map((s) => s.name));
  const nearNames = new Set(secrets.filter((s) => s.category === "near-expiry").map((s) => s.name));
  console.log(
    `rotation bench: ${SECRETS} secrets, ${dueNames.size} due, ${nearNames.size} near expiry, throttling ${THROTTLE ? "on" : "OFF"}; state ${stateDir}`,
  );

  // 1. Seed without throttling (10,000 PUTs under throttling alone would take 25 s), with Azurite starting meanwhile.
  const azuriteStarting = startAzurite();
  let emulator = await startEmulator(stateDir, NO_STATE ? runAudit : seedAudit, NO_STATE && THROTTLE);
  const seedMs = await seed(emulator, secrets);
  console.log(`seeded ${SECRETS} secrets in ${round(seedMs / 1000, 1)} s`);
  if (!NO_STATE) {
    await emulator.stop();
    // 2. Restart on the same state with throttling; the clock moves 2 days, so P1D secrets are due.
    emulator = await startEmulator(stateDir, runAudit, THROTTLE);
  }
  const azurite: RunningAzurite = await azuriteStarting;
  const azuritePid = childPid("azurite");
  const azurite_ = {
    blob: Number(new URL(azurite.blobEndpoint).port),
    queue: Number(new URL(azurite.queueEndpoint).port),
    table: Number(new URL(azurite.tableEndpoint).port),
  };
  let rssPeakMb = process.memoryUsage.rss() / 2 ** 20;
  const rssByPhase: Record<string, number> = {};
  let heapUsedPeakMb = 0;
  let samples = 0;
  const rssTimer = setInterval(() => {
    const mb = process.memoryUsage.rss() / 2 ** 20;
    rssPeakMb = Math.max(rssPeakMb, mb);
    rssByPhase[stats.phase] = Math.max(rssByPhase[stats.phase] ?? 0, mb);
    // The full breakdown walks the heap spaces: once a second is enough.
    if (++samples % 10 === 0) heapUsedPeakMb = Math.max(heapUsedPeakMb, process.memoryUsage().heapUsed / 2 ** 20);
  }, 100);
  rssTimer.unref();

  const stats = new NetStats((port, method, path, req) => {
    const p = path.split("?")[0]!;
    if (port === emulator.port) {
      if (p.startsWith("/management/")) return undefined;
      const parts = p.split("/").filter(Boolean);
      const what =
        parts[0] === "secrets" && parts[1]
          ? parts[1].endsWith("--kvguard-pending")
            ? "pending"
            : parts[1].startsWith("kvguard-history")
              ? "hmac-key"
              : "secret"
          : (parts[0] ?? "");
      const shape = parts.length === 1 ? "list" : parts[2] === "versions" ? "versions" : parts.length === 3 ? `${what}/version` : what;
      return { service: "kv", label: `${method} ${parts.length === 1 ? `${parts[0]} list` : shape}` };
    }
    if (port === azurite_.blob) {
      const lease = req.getHeader("x-ms-lease-action");
      return { service: "blob", label: lease ? `lease ${String(lease)}` : `${method} ${p.split("/").length > 3 ? "blob" : "container"}` };
    }
    if (port === azurite_.queue) {
      const m = p.endsWith("/messages")
        ? method === "POST"
          ? "send"
          : "receive"
        : /\/messages\/[^/]+$/.test(p)
          ? method === "DELETE"
            ? "delete"
            : "update"
          : method;
      return { service: "queue", label: m };
    }
    if (port === azurite_.table) {
      const t = /\(PartitionKey=/.test(decodeURIComponent(p)) ? "entity" : p.includes("()") ? "query" : "table";
      return { service: "table", label: `${method} ${t}` };
    }
    return undefined;
  });
  stats.install();

  const advance = async (seconds: number) =>
    (await admin(emulator, "POST", "/management/clock/advance", { seconds })) as { offsetSeconds: number; now: string };
  await advance(2 * DAY_S);
  const mainStartEmuMs = Date.parse(((await admin(emulator, "GET", "/management/clock")) as { now: string }).now);

  const env = {
    KVGUARD_VAULT_URLS: `${VAULT}=${emulator.url}`,
    KVGUARD_LOCAL_CA_FILE: emulator.caFile,
    AzureWebJobsStorage: azurite.connectionString,
    ...(process.env.KVGUARD_ROTATION_CONCURRENCY ? { KVGUARD_ROTATION_CONCURRENCY: process.env.KVGUARD_ROTATION_CONCURRENCY } : {}),
  };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(`bench config is invalid: ${loaded.problems.map((p) => p.message).join("; ")}`);
  const config = loaded.config;
  const clock = new LocalVaultClock(emulator.url, emulator.ca);
  await clock.sync();
  const clockTimer = setInterval(() => void clock.sync().catch(() => undefined), 1000);
  clockTimer.unref();
  const logLines: string[] = [];
  // Live-version "finish" per job, for the event latency (afterStep runs right after setSecret returned).
  const finishedAt = new Map<string, number>();
  const service = await createRotationService(config, {
    env,
    clock,
    log: (line) => void (logLines.length < 50_000 && logLines.push(line)),
    afterStep: (step, job: RotationJob) => {
      if (step === "finish" && job.trigger === "event") finishedAt.set(job.name.toLowerCase(), Date.now());
    },
  });
  const concurrency = config.rotation.concurrency;

  const outcomes: Record<string, number> = {};
  const jobErrors: string[] = [];
  const jobMs: number[] = [];
  const tallies: JobTally[] = [];
  const handle = (m: { text: string }) => {
    const tally = newJobTally();
    const started = performance.now();
    return stats.jobs.run(tally, async () => {
      const result = await service.processMessage(m.text);
      outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
      jobMs.push(performance.now() - started);
      tallies.push(tally);
    });
  };
  const drainOptions = {
    concurrency,
    visibilityTimeoutSeconds: 300,
    poison: service.poison,
    onError: (error: unknown) => void (jobErrors.length < 20 && jobErrors.push((error as Error).message)),
  };

  // ---- timed: sweep + rotations
  const machine0 = machineCpu();
  const serverCpu0 = cpuSeconds(emulator.child.pid);
  const azuriteCpu0 = cpuSeconds(azuritePid);
  const benchCpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sweep: Awaited<ReturnType<RotationService["sweep"]>>;
  let t1: number;
  let drained: DrainReport;
  if (OVERLAP) {
    stats.phase = "rotate";
    let sweepDone = false;
    const sweeping = service.sweep().finally(() => (sweepDone = true));
    drained = { succeeded: 0, failed: 0, poisoned: 0 };
    for (;;) {
      const finalPass = sweepDone;
      const r = await drainQueue(service.queue, handle, drainOptions);
      drained = { succeeded: drained.succeeded + r.succeeded, failed: drained.failed + r.failed, poisoned: drained.poisoned + r.poisoned };
      if (finalPass && r.succeeded + r.failed + r.poisoned === 0) break;
      if (r.succeeded + r.failed + r.poisoned === 0) await sleep(50);
    }
    sweep = await sweeping;
    t1 = t0;
  } else {
    stats.phase = "sweep";
    sweep = await service.sweep();
    t1 = performance.now();
    stats.phase = "rotate";
    drained = await drainQueue(service.queue, handle, drainOptions);
  }
  const t2 = performance.now();
  stats.phase = "idle";
  const mainJobs = tallies.length;
  const mainOutcomes = { ...outcomes };
  const cpu = {
    emulator: cpuSeconds(emulator.child.pid) - serverCpu0,
    azurite: cpuSeconds(azuritePid) - azuriteCpu0,
    bench: (() => {
      const u = process.cpuUsage(benchCpu0);
      return (u.user + u.system) / 1e6;
    })(),
  };
  const rssTimedPeakMb = rssPeakMb;
  const machine = machineCpu();
  const machineBusyS = machine.busy - machine0.busy;
  const otherLoadS = machineBusyS - cpu.emulator - cpu.azurite - cpu.bench;
  const totalS = (t2 - t0) / 1000;
  console.log(
    `sweep ${round((t1 - t0) / 1000, 1)} s (${sweep.secrets} secrets, ${sweep.enqueued} jobs), rotations ${round((t2 - t1) / 1000, 1)} s, total ${round(totalS, 1)} s`,
  );

  // ---- events: NearExpiry → acceptEvents → drain; latency from the event time to the live setSecret.
  // A fresh throttle window first, as events arrive independently of a sweep.
  if (THROTTLE) await sleep(10_500);
  const received = new Map<string, { eventRealMs: number; deliveredMs: number }>();
  const eventErrors: string[] = [];
  let eventReport = { accepted: 0, ignored: 0, duplicates: 0, rejected: 0 };
  let offsetMs = 0;
  let draining: Promise<void> | undefined;
  let again = false;
  const eventDrains: DrainReport[] = [];
  const kick = () => {
    if (draining) {
      again = true;
      return;
    }
    draining = (async () => {
      do {
        again = false;
        eventDrains.push(await drainQueue(service.queue, handle, drainOptions));
      } while (again);
    })()
      .catch((error: unknown) => void eventErrors.push((error as Error).message))
      .finally(() => (draining = undefined));
  };
  const webhook = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (text += c));
    req.on("end", () => {
      void (async () => {
        const deliveredMs = Date.now();
        const body = JSON.parse(text || "[]") as { eventType?: string; eventTime?: string; data?: { validationCode?: string; ObjectName?: string } }[];
        if (req.headers["aeg-event-type"] === "SubscriptionValidation") {
          res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ validationResponse: body[0]?.data?.validationCode }));
          return;
        }
        for (const e of body) {
          const name = e.data?.ObjectName?.toLowerCase();
          if (name && e.eventTime) received.set(name, { eventRealMs: Date.parse(e.eventTime) - offsetMs, deliveredMs });
        }
        try {
          const report = await service.acceptEvents(body);
          eventReport = {
            accepted: eventReport.accepted + report.accepted,
            ignored: eventReport.ignored + report.ignored,
            duplicates: eventReport.duplicates + report.duplicates,
            rejected: eventReport.rejected + report.rejected.length,
          };
          res.writeHead(200).end();
          kick();
        } catch (error) {
          eventErrors.push((error as Error).message);
          res.writeHead(500).end();
        }
      })();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/api/events`;
  await admin(emulator, "POST", "/management/subscriptions", {
    name: "bench-near-expiry",
    endpoint: hookUrl,
    includedEventTypes: ["Microsoft.KeyVault.SecretNearExpiry"],
  });
  stats.phase = "events";
  const eventCpu0 = { emulator: cpuSeconds(emulator.child.pid), azurite: cpuSeconds(azuritePid) };
  const eventsStartEmuMs = Date.parse(((await admin(emulator, "GET", "/management/clock")) as { now: string }).now);
  const moved = await advance(9 * DAY_S);
  offsetMs = moved.offsetSeconds * 1000;
  await clock.sync();
  // Until every near-expiry secret is rotated, or every event came and the queue stayed empty for 3 s.
  const deadline = Date.now() + 120_000;
  let quietSince = Date.now();
  while (Date.now() < deadline && finishedAt.size < nearNames.size) {
    if (draining || received.size < nearNames.size) quietSince = Date.now();
    else if (Date.now() - quietSince > 3_000) break;
    await sleep(100);
  }
  await draining;
  stats.phase = "idle";
  const eventCpu = { emulator: cpuSeconds(emulator.child.pid) - eventCpu0.emulator, azurite: cpuSeconds(azuritePid) - eventCpu0.azurite };
  const latencies: number[] = [];
  const deliveryLags: number[] = [];
  for (const name of nearNames) {
    const r = received.get(name);
    const f = finishedAt.get(name);
    if (r && f) {
      latencies.push(f - r.eventRealMs);
      deliveryLags.push(r.deliveredMs - r.eventRealMs);
    }
  }
  webhook.close();
  clearInterval(clockTimer);
  stats.uninstall();

  // ---- stop, then count from the audit log and the state file
  const childRss = { emulator: peakRssMb(emulator.child.pid), azurite: peakRssMb(azuritePid) };
  await emulator.stop();
  await azurite.stop();
  clearInterval(rssTimer);

  const records = auditRecords(runAudit);
  const main = countOps(records.filter((r) => Date.parse(r.time) >= mainStartEmuMs && Date.parse(r.time) < eventsStartEmuMs));
  const events = countOps(records.filter((r) => Date.parse(r.time) >= eventsStartEmuMs));
  const sweepOps = Object.entries(main.byOperation)
    .filter(([op]) => op.endsWith("List"))
    .reduce((n, [, c]) => n + c, 0);
  const rotated = mainOutcomes.rotated ?? 0;
  const eventRotated = (outcomes.rotated ?? 0) - rotated;
  // Versions per secret from the state file; without one (BENCH_NO_STATE), from the audit log's SecretSet calls.
  const versions = NO_STATE
    ? new Map(secrets.map((x) => [x.name, 1 + (main.setsByName.get(x.name) ?? 0) + (events.setsByName.get(x.name) ?? 0)]))
    : versionsByName(stateDir);
  let duplicated = 0;
  let missing = 0;
  let unexpected = 0;
  let eventMissing = 0;
  for (const s of secrets) {
    const v = versions.get(s.name) ?? 0;
    const expected = s.category === "due" || s.category === "near-expiry" ? 2 : 1;
    if (v > expected && expected === 2) duplicated++;
    else if (v > expected) unexpected++;
    if (v < expected && s.category === "near-expiry") eventMissing++;
    else if (v < expected) missing++;
  }
  const auditDuplicates =
    [...dueNames].filter((n) => (main.setsByName.get(n) ?? 0) > 1).length + [...nearNames].filter((n) => (events.setsByName.get(n) ?? 0) > 1).length;
  const pendingMultiVersion = [...versions.entries()].filter(([n, v]) => n.endsWith("--kvguard-pending") && v > 1).length;
  const mainRotations = mainJobs;
  const failed = dueNames.size - rotated + drained.failed + drained.poisoned;
  const eventFailed = nearNames.size - eventRotated + eventDrains.reduce((n, d) => n + d.failed + d.poisoned, 0);

  const boundS = main.ops / OPS_PER_SECOND;
  // What the machine allowed: a single-threaded process cannot use more than one core, and all three share them.
  const cpuFloorS = Math.max(cpu.emulator, cpu.azurite, cpu.bench, (cpu.emulator + cpu.azurite + cpu.bench) / machine.cores);
  const otherShare = otherLoadS / (totalS * machine.cores);
  const result = {
    secrets: SECRETS,
    due: dueNames.size,
    concurrency,
    throttle: THROTTLE,
    totalS: round(totalS, 1),
    sweepS: round((t1 - t0) / 1000, 2),
    rotateS: round((t2 - t1) / 1000, 1),
    kvOps: main.ops,
    sweepOps,
    opsPerRotation: round((main.ops - sweepOps) / Math.max(1, rotated), 2),
    throttleBoundS: round(boundS, 1),
    ratioToBound: round(totalS / boundS, 2),
    cpuFloorS: round(cpuFloorS, 1),
    otherLoadShare: round(otherShare, 2),
    throttled429: main.throttled,
    challenges: main.challenges,
    rotated,
    failedRotations: failed,
    duplicatedRotations: duplicated + auditDuplicates,
    missingRotations: missing,
    unexpectedVersions: unexpected,
    pendingWrittenTwice: pendingMultiVersion,
    rssPeakMb: round(rssPeakMb, 1),
    rssTimedPeakMb: round(rssTimedPeakMb, 1),
    cpuS: { emulator: round(cpu.emulator, 1), azurite: round(cpu.azurite, 1), bench: round(cpu.bench, 1), otherProcesses: round(otherLoadS, 1) },
    heapUsedPeakMb: round(heapUsedPeakMb, 1),
    childRssPeakMb: { emulator: round(childRss.emulator, 0), azurite: round(childRss.azurite, 0) },
    rssByPhaseMb: Object.fromEntries(Object.entries(rssByPhase).map(([k, v]) => [k, round(v, 1)])),
    overlap: OVERLAP,
    emulatorState: !NO_STATE,
    jobMsP50: round(percentile(jobMs.slice(0, mainRotations), 0.5), 1),
    jobMsP95: round(percentile(jobMs.slice(0, mainRotations), 0.95), 1),
    nearExpiry: {
      events: received.size,
      rotated: eventRotated,
      failed: eventFailed,
      missing: eventMissing,
      outcomes: Object.fromEntries(
        Object.entries(outcomes)
          .map(([k, v]): [string, number] => [k, v - (mainOutcomes[k] ?? 0)])
          .filter(([, v]) => v !== 0),
      ),
      opsPerRotation: round(events.ops / Math.max(1, eventRotated), 2),
      accepted: eventReport.accepted,
      duplicates: eventReport.duplicates,
      latencyP50Ms: round(percentile(latencies, 0.5), 0),
      latencyP95Ms: round(percentile(latencies, 0.95), 0),
      latencyMaxMs: round(Math.max(...latencies), 0),
      deliveryLagP95Ms: round(percentile(deliveryLags, 0.95), 0),
      kvOps: events.ops,
      throttled429: events.throttled,
    },
    seedS: round(seedMs / 1000, 1),
  };

  // ---- summary
  const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
  console.log("");
  console.log(
    `sweep + rotations: ${result.totalS} s for ${result.rotated} rotations of ${result.due} due among ${SECRETS} secrets (concurrency ${concurrency})`,
  );
  console.log(
    `  sweep ${result.sweepS} s (${sweep.secrets} secrets listed, ${sweep.noPolicy.length} without policy, ${sweep.enqueued} enqueued, ${sweepOps} list calls)`,
  );
  console.log(`  rotations ${result.rotateS} s; job time p50 ${result.jobMsP50} ms, p95 ${result.jobMsP95} ms`);
  console.log(
    `Key Vault operations: ${main.ops} (${sweepOps} for the sweep, ${round((main.ops - sweepOps) / Math.max(1, result.rotated), 2)} per rotation), ${main.throttled} answered 429, ${main.challenges} challenges`,
  );
  for (const [op, n] of Object.entries(main.byOperation).sort((a, b) => b[1] - a[1])) console.log(`    ${op.padEnd(28)} ${n}`);
  console.log(
    `throttle bound ${result.throttleBoundS} s (${main.ops} ops / ${OPS_PER_SECOND} per s): ratio ${result.ratioToBound} (target <= 1.3: ${verdict(result.ratioToBound <= 1.3)})`,
  );
  console.log(
    `  CPU floor of the local stack on this machine: ${result.cpuFloorS} s (max of each process's CPU and their sum / ${machine.cores} cores), ${round(cpuFloorS / boundS, 2)}x the throttle bound`,
  );
  if (otherShare > 0.15) {
    console.log(`  WARNING: other processes used ${round(otherShare * 100, 0)}% of the machine's CPU meanwhile; wall-clock figures are inflated`);
  }
  console.log(
    `failed rotations ${result.failedRotations} (target 0: ${verdict(result.failedRotations === 0)}), duplicated ${result.duplicatedRotations} (target 0: ${verdict(result.duplicatedRotations === 0)}), missing ${missing}, unexpected new versions ${unexpected}`,
  );
  console.log(
    `  outcomes ${JSON.stringify(mainOutcomes)}; drain ${JSON.stringify(drained)}${jobErrors.length ? `; errors: ${jobErrors.slice(0, 5).join(" | ")}` : ""}`,
  );
  console.log(
    `bench RSS peak ${result.rssPeakMb} MB (timed part ${result.rssTimedPeakMb} MB; target <= 300: ${verdict(result.rssPeakMb <= 300)}); peak RSS of the emulator ${result.childRssPeakMb.emulator} MB, Azurite ${result.childRssPeakMb.azurite} MB`,
  );
  console.log(
    `CPU during sweep + rotations: emulator ${result.cpuS.emulator} s, Azurite ${result.cpuS.azurite} s, bench ${result.cpuS.bench} s, other processes on the machine ${result.cpuS.otherProcesses} s (of ${round(totalS * machine.cores, 0)} core-s on ${machine.cores} cores)`,
  );
  console.log(`bench RSS peak by phase (MB): ${JSON.stringify(result.rssByPhaseMb)}; heap used peak ${result.heapUsedPeakMb} MB`);
  console.log(
    `NearExpiry → new version live: ${received.size} events received, ${eventRotated}/${nearNames.size} rotated (outcomes ${JSON.stringify(result.nearExpiry.outcomes)}), p50 ${result.nearExpiry.latencyP50Ms} ms, p95 ${result.nearExpiry.latencyP95Ms} ms (target <= 2000: ${verdict(result.nearExpiry.latencyP95Ms <= 2000)}), max ${result.nearExpiry.latencyMaxMs} ms; delivery lag p95 ${result.nearExpiry.deliveryLagP95Ms} ms; ${events.ops} KV ops, ${events.throttled} 429; CPU emulator ${round(eventCpu.emulator, 1)} s, Azurite ${round(eventCpu.azurite, 1)} s${eventErrors.length ? `; errors: ${eventErrors.slice(0, 3).join(" | ")}` : ""}`,
  );

  // Where a rotation's time goes: requests per job by service, from the outbound request accounting.
  const mainTallies = tallies.slice(0, mainRotations);
  const avg = (f: (t: JobTally) => number) => mainTallies.reduce((n, t) => n + f(t), 0) / Math.max(1, mainTallies.length);
  const avgJob = jobMs.slice(0, mainRotations).reduce((a, b) => a + b, 0) / Math.max(1, mainRotations);
  console.log(
    `per job (mean of ${mainTallies.length}): ${round(avgJob, 1)} ms wall, ${round(
      avg((t) => t.requests),
      1,
    )} requests taking ${round(
      avg((t) => t.requestMs),
      1,
    )} ms:`,
  );
  for (const service of ["kv", "blob", "queue", "table"]) {
    console.log(
      `    ${service.padEnd(6)} ${round(
        avg((t) => t.byService[service]?.requests ?? 0),
        2,
      )} requests, ${round(
        avg((t) => t.byService[service]?.ms ?? 0),
        1,
      )} ms`,
    );
  }
  for (const phase of ["sweep", "rotate", "events"]) {
    console.log(`requests in phase ${phase}:`);
    for (const [label, s] of stats.table(phase)) {
      console.log(
        `    ${label.padEnd(28)} ${String(s.count).padStart(6)}  mean ${round(s.totalMs / s.count, 1)} ms  max ${round(s.maxMs, 0)} ms  ${JSON.stringify(s.statuses)}`,
      );
    }
  }
  if (!KEEP) rmSync(stateDir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
}

await main();
