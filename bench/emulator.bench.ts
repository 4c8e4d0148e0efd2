/**
 * @module Emulator benchmark: start-up time, then GET /secrets/{name} throughput and latency over HTTPS
 * keep-alive from 32 concurrent clients, with the emulator in its own process so the load generator does
 * not share its core. Prints a summary, then one JSON line (the last line) for scripts.
 * Run: `npm run bench:emulator` (BENCH_DURATION_S and BENCH_WARMUP_S shorten it; BENCH_EMULATOR_NODE_ARGS
 * passes node flags to the emulator, e.g. "--cpu-prof --cpu-prof-dir=prof").
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { DevTokenCredential } from "../src/azure/devCredential.js";

const CONCURRENCY = 32;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const API = "?api-version=2025-07-01";
const SECRET = "bench-secret";

// What serves the emulator: it prints `{"vaults":{"local":"https://..."},"ca":"FILE"}` on stdout when ready.
const EMULATOR_ARGS = [fileURLToPath(new URL("../src/cli/main.js", import.meta.url)), "emulator", "--port", "0"];

interface Ready {
  vaults: Record<string, string>;
  ca: string;
}

function startEmulator(): Promise<{ child: ChildProcess; ready: Ready; startupMs: number }> {
  const started = performance.now();
  const nodeArgs = (process.env.BENCH_EMULATOR_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...EMULATOR_ARGS], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      reject(new Error("the emulator did not print its ready line within 30 s"));
    }, 30_000);
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before it was ready`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      clearTimeout(timer);
      resolve({ child, ready: JSON.parse(line) as Ready, startupMs: performance.now() - started });
    });
  });
}

/** Resident set size of a process in MB (Linux /proc; `ps` elsewhere). */
function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return NaN;
}

/** CPU seconds (user + system) a process has used, from /proc; NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

function send(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

interface Run {
  latenciesMs: number[];
  errors: number;
  elapsedS: number;
}

/** CONCURRENCY loops, each one request in flight, until `seconds` have passed. */
async function load(agent: Agent, url: string, headers: Record<string, string>, seconds: number): Promise<Run> {
  const latenciesMs: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        const status = await send(agent, url, "GET", headers);
        if (status === 200) latenciesMs.push(performance.now() - t);
        else errors += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latenciesMs, errors, elapsedS: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const { child, ready, startupMs } = await startEmulator();
  try {
    const vaultUrl = Object.values(ready.vaults)[0]!;
    const ca = readFileSync(ready.ca, "utf8");
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, ca });
    const token = (await new DevTokenCredential({ name: "bench" }).getToken("https://vault.azure.net/.default")).token;
    const headers = { Authorization: `Bearer ${token}` };
    const idleRss = rssMb(child.pid!);

    const setStatus = await send(
      agent,
      `${vaultUrl}/secrets/${SECRET}${API}`,
      "PUT",
      { ...headers, "Content-Type": "application/json" },
      JSON.stringify({ value: "x".repeat(64) }),
    );
    if (setStatus !== 200) throw new Error(`setting the benchmark secret answered ${setStatus}`);
    const url = `${vaultUrl}/secrets/${SECRET}/${API}`;

    await load(agent, url, headers, WARMUP_S);
    let peakRss = rssMb(child.pid!);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(child.pid!))), 250);
    const [serverCpu0, clientCpu0] = [cpuSeconds(child.pid!), process.cpuUsage()];
    const run = await load(agent, url, headers, DURATION_S);
    const serverCpu = (cpuSeconds(child.pid!) - serverCpu0) / run.elapsedS;
    const clientUsage = process.cpuUsage(clientCpu0);
    const clientCpu = (clientUsage.user + clientUsage.system) / 1e6 / run.elapsedS;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, rssMb(child.pid!));
    agent.destroy();

    const sorted = run.latenciesMs.sort((a, b) => a - b);
    const result = {
      startupMs: round(startupMs, 0),
      requestsPerSecond: round(sorted.length / run.elapsedS, 0),
      p50Ms: round(percentile(sorted, 0.5)),
      p99Ms: round(percentile(sorted, 0.99)),
      errors: run.errors,
      emulatorRssMb: round(peakRss, 1),
      concurrency: CONCURRENCY,
      durationS: round(run.elapsedS, 1),
    };
    const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
    console.log(`emulator start-up  ${result.startupMs} ms (target < 1000: ${verdict(result.startupMs < 1000)})`);
    console.log(`GET /secrets/{name} with ${CONCURRENCY} keep-alive clients for ${result.durationS} s after ${WARMUP_S} s warm-up:`);
    console.log(
      `  ${sorted.length} requests, ${result.requestsPerSecond} req/s (target >= 2000: ${verdict(result.requestsPerSecond >= 2000)}), ${result.errors} errors`,
    );
    console.log(
      `  latency p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms (target <= 10: ${verdict(result.p99Ms <= 10)}), max ${round(sorted.at(-1) ?? NaN)} ms`,
    );
    const cpuPerRequestUs = (serverCpu * run.elapsedS * 1e6) / (sorted.length + run.errors);
    console.log(
      `CPU: emulator ${round(serverCpu * 100, 0)}% of a core (${round(cpuPerRequestUs, 0)} µs a request), load generator ${round(clientCpu * 100, 0)}%`,
    );
    console.log(`emulator RSS ${round(idleRss, 1)} MB idle, ${result.emulatorRssMb} MB peak under load`);
    console.log(JSON.stringify(result));
  } finally {
    // Wait for the exit, so a --cpu-prof profile is written before the bench ends.
    await new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
  }
}

await main();
