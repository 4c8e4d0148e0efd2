/**
 * @module Cold start benchmark: how long importing the app's entry (package.json `main`, what the Functions host
 * loads) takes against importing `@azure/functions` alone, each in a fresh node process, alternated so both see
 * the same machine load. Target: the entry costs at most 3x the library. Prints a line per pair, then one JSON
 * line (the last line) with both medians and the ratio.
 * Run: `npm run bench:coldstart` (BENCH_RUNS sets the number of pairs, default 15).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = pathToFileURL(`${ROOT}${(JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { main: string }).main}`).href;
const LIBRARY = "@azure/functions";

/** Milliseconds one fresh node process spends importing `specifier` (node's own start-up not counted). */
async function importMs(specifier: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
  return Number(stdout.trim().split("\n").at(-1));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const entry: number[] = [];
const library: number[] = [];
// One untimed pair first: the first process after a build pays for the disk cache.
await importMs(LIBRARY);
await importMs(ENTRY);
for (let i = 0; i < RUNS; i++) {
  // Alternate which goes first, so a load spike does not always land on the same side.
  const pair = i % 2 ? [await importMs(ENTRY), await importMs(LIBRARY)] : [await importMs(LIBRARY), await importMs(ENTRY)].reverse();
  entry.push(pair[0]!);
  library.push(pair[1]!);
  console.log(`run ${i + 1}: entry ${pair[0]!.toFixed(0)} ms, ${LIBRARY} ${pair[1]!.toFixed(0)} ms`);
}
const entryMs = Math.round(median(entry));
const libraryMs = Math.round(median(library));
console.log(JSON.stringify({ runs: RUNS, entryMedianMs: entryMs, libraryMedianMs: libraryMs, ratio: Number((entryMs / libraryMs).toFixed(2)), target: 3 }));
