/**
 * @module `npm run bench:report`: renders a synthetic compliance run of 10,000 objects (`BENCH_REPORT_OBJECTS`
 * for another size; the fixture's checks, so about 20,000 results) in every format and times each: the JSON
 * document with its summary, JSON text, CSV, HTML and PDF, with their sizes and the process's peak RSS.
 * Each format runs three times and the fastest counts. The last line is one JSON object of the figures.
 */
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { renderCsv } from "../src/compliance/report/csv.js";
import { renderHtml } from "../src/compliance/report/html.js";
import { renderJson, reportDocument } from "../src/compliance/report/json.js";
import { renderPdf } from "../src/compliance/report/pdf.js";
import { syntheticRun } from "../test/helpers/complianceFixture.js";

const OBJECTS = Number(process.env.BENCH_REPORT_OBJECTS ?? 10_000);
const RUNS = 3;

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
let rssPeak = process.memoryUsage().rss;
const sample = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);

async function fastest<T>(work: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  let best = Infinity;
  let value: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    value = await work();
    best = Math.min(best, performance.now() - start);
    // The renders are synchronous, so the sampler cannot see inside them: sample while their output is alive.
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }
  return { ms: round(best), value: value as T };
}

async function main(): Promise<void> {
  const run = syntheticRun(OBJECTS);
  console.log(`synthetic run: ${run.inventory.length} objects, ${run.vaults.length} vaults, ${run.results.length} results, ${run.checks.length} checks`);
  const document = await fastest(() => reportDocument(run));
  const doc = document.value;
  const json = await fastest(() => renderJson(doc));
  const csv = await fastest(() => renderCsv(doc));
  const html = await fastest(() => renderHtml(doc));
  const pdf = await fastest(() => renderPdf(doc));
  clearInterval(sample);
  const mb = (bytes: number) => round(bytes / 1_048_576, 2);
  const figures = {
    objects: run.inventory.length,
    results: run.results.length,
    documentMs: document.ms,
    json: { ms: json.ms, mb: mb(Buffer.byteLength(json.value)) },
    csv: { ms: csv.ms, mb: mb(Buffer.byteLength(csv.value)) },
    html: { ms: html.ms, mb: mb(Buffer.byteLength(html.value)) },
    pdf: { ms: pdf.ms, mb: mb(pdf.value.bytes.length), pages: pdf.value.pages },
    totalMs: round(document.ms + json.ms + csv.ms + html.ms + pdf.ms),
    rssPeakMb: mb(rssPeak),
    // Figures swing with other load on the machine; this says how much there was.
    loadAverage: round(loadavg()[0]!, 2),
  };
  for (const format of ["json", "csv", "html", "pdf"] as const)
    console.log(`${format.padEnd(5)} ${String(figures[format].ms).padStart(8)} ms  ${figures[format].mb} MB`);
  console.log(`document and summary ${figures.documentMs} ms; all formats ${figures.totalMs} ms; peak RSS ${figures.rssPeakMb} MB`);
  console.log(JSON.stringify(figures));
}

await main();
