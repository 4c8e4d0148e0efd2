/**
 * @module Audit pipeline benchmark: generates a file of AuditEvent JSON lines (about 1 GB; set
 * BENCH_AUDIT_MB for a smaller one), then times, each in its own process so peak RSS is its own:
 *   - the pipeline as `kvguard audit` runs it: files → parse threads → normalised records → every
 *     detector → findings (one parse thread per core but the detectors'; see parallelFiles.ts);
 *   - the same pipeline all in one thread, to show what the parse threads bring;
 *   - ingest alone: files → normalised, validated records (what every detector starts from);
 *   - a bare `readline` + `JSON.parse` loop counting records per principal (the floor for Node);
 *   - `jq -c` doing the same per-principal counts (jq is installed from Debian when missing).
 * Targets: pipeline ≥ 0.7× the bare loop, ≥ 3× jq, peak RSS ≤ 256 MB. The last line is one JSON object.
 * The Node runs alternate BENCH_AUDIT_RUNS times (default 3) and the fastest of each counts, so a burst of
 * other load on the machine skews one run, not the comparison.
 * Run: `npm run bench:audit` (BENCH_AUDIT_MB=100 for a quick run; BENCH_AUDIT_FILE reuses a file).
 * To compare with another build in the same run (say main's, built elsewhere), set BENCH_AUDIT_COMPARE to
 * its compiled `dist/bench/audit.bench.js`: its pipeline and one-thread runs alternate with these, and the
 * figures give the ratios (`vsCompare`, above 1 is faster than the other build).
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { AuditEngine } from "../src/audit/engine.js";
import { Baseline } from "../src/audit/baseline.js";
import { readAuditFiles } from "../src/audit/sources/parallelFiles.js";
import { IngestReport } from "../src/audit/sources/report.js";
import { detectors } from "../src/audit/detectors/registry.js";

const MB = 1024 * 1024;
const SELF = fileURLToPath(import.meta.url);

interface Measure {
  records: number;
  seconds: number;
  /** CPU time (user + system) of the run: steadier than wall time when other processes load the machine. */
  cpuSeconds: number;
  maxRssMb: number;
  principals: number;
  findings?: number;
}

// --- generation -----------------------------------------------------------------------------------

/** A deterministic pseudo-random generator, so runs compare. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(random() * 16).toString(16);
  return s;
}

function guidOf(random: () => number): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-8${hex(random, 3)}-${hex(random, 12)}`;
}

async function generate(path: string, bytes: number): Promise<void> {
  const random = rng(1);
  const vaults = Array.from({ length: 20 }, (_, i) => `bench-vault-${i}`);
  const principals = Array.from({ length: 300 }, (_, i) => ({
    oid: guidOf(random),
    appid: guidOf(random),
    vault: vaults[i % vaults.length]!,
    ip: `10.${i % 250}.${(i * 7) % 250}.${(i * 13) % 250}`,
  }));
  const secrets = Array.from({ length: 40 }, (_, i) => `secret-${i}`);
  const versions = secrets.map(() => hex(random, 32));
  const ops = ["SecretGet", "SecretGet", "SecretGet", "SecretGet", "SecretGet", "SecretList", "KeyGet", "KeySign", "SecretSet", "VaultGet"];
  const out = createWriteStream(path, { highWaterMark: 4 * MB });
  let written = 0;
  // 21 days of traffic spread over the file, in time order.
  const startMs = Date.UTC(2026, 0, 5);
  const estimate = bytes / 900;
  let n = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++, n++) {
      const p = principals[Math.floor(random() * principals.length)]!;
      const op = ops[Math.floor(random() * ops.length)]!;
      const s = Math.floor(random() * secrets.length);
      const host = `https://${p.vault}.vault.azure.net`;
      const object = op.startsWith("Key") ? `keys/key-${s % 4}` : op === "VaultGet" || op === "SecretList" ? "" : `secrets/${secrets[s]}`;
      const status = random() < 0.02 ? 403 : 200;
      const time = new Date(startMs + Math.floor((n / estimate) * 21 * 86_400_000)).toISOString().replace("Z", "0000Z");
      lines.push(
        JSON.stringify({
          time,
          category: "AuditEvent",
          operationName: op,
          resultType: "Success",
          correlationId: guidOf(random),
          callerIpAddress: p.ip,
          identity: { claim: { oid: p.oid, appid: p.appid, tid: "72f988bf-0000-4000-8000-000000000001", idtyp: "app", xms_az_nwperimid: [] } },
          properties: {
            ...(object ? { id: `${host}/${object}${object.startsWith("secrets") ? `/${versions[s]}` : ""}` } : {}),
            clientInfo: "azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/1.24.0 Node/20.19.0 OS/(x64-Linux-6.1)",
            httpStatusCode: status,
            requestUri: `${host}/${object || "secrets"}${object ? "/" : ""}?api-version=2025-07-01`,
            isRbacAuthorized: status === 200,
            tlsVersion: "TLS1_3",
          },
          resourceId: `/SUBSCRIPTIONS/0A1B2C3D-0000-4000-8000-00000000CAFE/RESOURCEGROUPS/BENCH-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/${p.vault.toUpperCase()}`,
          operationVersion: "2025-07-01",
          resultSignature: status === 200 ? "OK" : "Forbidden",
          durationMs: String(3 + Math.floor(random() * 40)),
        }),
      );
    }
    const chunk = lines.join("\n") + "\n";
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

// --- the measured runs (each in a child process) -----------------------------------------------------

async function runPipeline(path: string, threads?: number): Promise<Omit<Measure, "maxRssMb" | "cpuSeconds">> {
  const started = performance.now();
  const engine = new AuditEngine({ detectors, baseline: new Baseline(14) });
  const report = new IngestReport();
  const principals = new Map<string, number>();
  for await (const batch of readAuditFiles([path], report, threads === undefined ? {} : { threads })) {
    engine.process(batch);
    for (const r of batch) {
      const key = r.principal.oid ?? "anonymous";
      principals.set(key, (principals.get(key) ?? 0) + 1);
    }
  }
  const result = engine.finish();
  return { records: report.records, seconds: (performance.now() - started) / 1000, principals: principals.size, findings: result.findings.length };
}

async function runIngest(path: string): Promise<Omit<Measure, "maxRssMb" | "cpuSeconds">> {
  const started = performance.now();
  const report = new IngestReport();
  const principals = new Map<string, number>();
  for await (const batch of readAuditFiles([path], report)) {
    for (const r of batch) {
      const key = r.principal.oid ?? "anonymous";
      principals.set(key, (principals.get(key) ?? 0) + 1);
    }
  }
  return { records: report.records, seconds: (performance.now() - started) / 1000, principals: principals.size };
}

async function runReadline(path: string): Promise<Omit<Measure, "maxRssMb" | "cpuSeconds">> {
  const started = performance.now();
  const principals = new Map<string, number>();
  let records = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (!line) continue;
    const r = JSON.parse(line) as { identity?: { claim?: { oid?: string } } };
    const key = r.identity?.claim?.oid ?? "anonymous";
    principals.set(key, (principals.get(key) ?? 0) + 1);
    records++;
  }
  return { records, seconds: (performance.now() - started) / 1000, principals: principals.size };
}

type Kind = "pipeline" | "one-thread" | "ingest" | "readline";

async function child(kind: Kind, path: string, script = SELF): Promise<Measure> {
  const proc = spawn(process.execPath, [script, "--child", kind, path], { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  proc.stdout.on("data", (d: Buffer) => (text += d.toString()));
  const [code] = (await once(proc, "exit")) as [number];
  if (code !== 0) throw new Error(`${kind} run exited ${code}`);
  return JSON.parse(text.trim().split("\n").at(-1)!) as Measure;
}

function ensureJq(): boolean {
  if (spawnSync("jq", ["--version"]).status === 0) return true;
  console.error("jq is missing: installing it from Debian (apt-get install jq)");
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "-qq", "jq"], { stdio: "inherit" }) : update;
  return install.status === 0 && spawnSync("jq", ["--version"]).status === 0;
}

function runJq(path: string): { seconds: number; principals: number } | undefined {
  if (!ensureJq()) return undefined;
  const started = performance.now();
  const output = execFileSync("jq", ["-c", "-n", 'reduce inputs as $r ({}; .[$r.identity.claim.oid // "anonymous"] += 1)', path], {
    maxBuffer: 256 * MB,
  }).toString();
  return { seconds: (performance.now() - started) / 1000, principals: Object.keys(JSON.parse(output) as object).length };
}

async function main(): Promise<void> {
  const [flag, kind, childPath] = process.argv.slice(2);
  if (flag === "--child" && childPath) {
    const cpu = process.cpuUsage();
    const runs: Record<Kind, () => Promise<Omit<Measure, "maxRssMb" | "cpuSeconds">>> = {
      pipeline: () => runPipeline(childPath),
      "one-thread": () => runPipeline(childPath, 0),
      ingest: () => runIngest(childPath),
      readline: () => runReadline(childPath),
    };
    const result = await runs[kind as Kind]();
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    process.stdout.write(JSON.stringify({ ...result, cpuSeconds, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + "\n");
    return;
  }
  const targetMb = Number(process.env.BENCH_AUDIT_MB ?? 1024);
  const path = process.env.BENCH_AUDIT_FILE ?? join(tmpdir(), `kvguard-audit-bench-${targetMb}mb.jsonl`);
  if (!existsSync(path) || statSync(path).size < targetMb * MB * 0.99) {
    const t = performance.now();
    await generate(path, targetMb * MB);
    console.log(`generated ${path}: ${(statSync(path).size / MB).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const bytes = statSync(path).size;
  // Read once so every run starts from the page cache alike.
  await runReadline(path);
  const runs = Math.max(1, Number(process.env.BENCH_AUDIT_RUNS ?? 3));
  // Fastest wall time and least CPU time of the runs (each may come from a different run), highest peak RSS.
  const best = (a: Measure | undefined, b: Measure): Measure => ({
    ...(a && a.seconds <= b.seconds ? a : b),
    cpuSeconds: Math.min(a?.cpuSeconds ?? Infinity, b.cpuSeconds),
    maxRssMb: Math.max(a?.maxRssMb ?? 0, b.maxRssMb),
  });
  let readline: Measure | undefined;
  let ingest: Measure | undefined;
  let pipeline: Measure | undefined;
  let oneThread: Measure | undefined;
  const other = process.env.BENCH_AUDIT_COMPARE;
  let otherPipeline: Measure | undefined;
  let otherOneThread: Measure | undefined;
  for (let i = 0; i < runs; i++) {
    readline = best(readline, await child("readline", path));
    ingest = best(ingest, await child("ingest", path));
    if (other) otherPipeline = best(otherPipeline, await child("pipeline", path, other));
    pipeline = best(pipeline, await child("pipeline", path));
    if (other) otherOneThread = best(otherOneThread, await child("one-thread", path, other));
    oneThread = best(oneThread, await child("one-thread", path));
  }
  if (!readline || !ingest || !pipeline || !oneThread) throw new Error("no run");
  const jq = runJq(path);
  const rate = (m: { seconds: number }) => Math.round(pipeline.records / m.seconds);
  const figures = {
    fileMb: Math.round(bytes / MB),
    records: pipeline.records,
    pipelineRecordsPerSec: rate(pipeline),
    readlineRecordsPerSec: rate(readline),
    vsReadline: Number((readline.seconds / pipeline.seconds).toFixed(2)),
    vsReadlineCpu: Number((readline.cpuSeconds / pipeline.cpuSeconds).toFixed(2)),
    oneThreadRecordsPerSec: rate(oneThread),
    oneThreadVsReadline: Number((readline.seconds / oneThread.seconds).toFixed(2)),
    ingestRecordsPerSec: rate(ingest),
    ingestVsReadline: Number((readline.seconds / ingest.seconds).toFixed(2)),
    ingestVsReadlineCpu: Number((readline.cpuSeconds / ingest.cpuSeconds).toFixed(2)),
    ingestPeakRssMb: ingest.maxRssMb,
    jqRecordsPerSec: jq ? rate(jq) : null,
    vsJq: jq ? Number((jq.seconds / pipeline.seconds).toFixed(2)) : null,
    pipelinePeakRssMb: pipeline.maxRssMb,
    readlinePeakRssMb: readline.maxRssMb,
    oneThreadPeakRssMb: oneThread.maxRssMb,
    findings: pipeline.findings,
    findingsAgree: oneThread.findings === pipeline.findings,
    principalsAgree: readline.principals === pipeline.principals && ingest.principals === pipeline.principals && (!jq || jq.principals === pipeline.principals),
    runs,
    ...(otherPipeline && otherOneThread
      ? {
          compare: {
            build: other,
            pipelineRecordsPerSec: rate(otherPipeline),
            oneThreadRecordsPerSec: rate(otherOneThread),
            vsCompare: Number((otherPipeline.seconds / pipeline.seconds).toFixed(3)),
            vsCompareCpu: Number((otherPipeline.cpuSeconds / pipeline.cpuSeconds).toFixed(3)),
            oneThreadVsCompare: Number((otherOneThread.seconds / oneThread.seconds).toFixed(3)),
            oneThreadVsCompareCpu: Number((otherOneThread.cpuSeconds / oneThread.cpuSeconds).toFixed(3)),
            findings: otherPipeline.findings,
          },
        }
      : {}),
    targets: { vsReadline: 0.7, vsJq: 3, peakRssMb: 256 },
  };
  console.log(
    `pipeline ${figures.pipelineRecordsPerSec} records/s (${pipeline.seconds.toFixed(1)} s; one thread ${figures.oneThreadRecordsPerSec}/s), ingest alone ${figures.ingestRecordsPerSec}/s, ` +
      `readline+JSON.parse ${figures.readlineRecordsPerSec}/s, jq ${figures.jqRecordsPerSec ?? "n/a"}/s; peak RSS ${pipeline.maxRssMb} MB`,
  );
  console.log(JSON.stringify(figures));
}

await main();
