/**
 * @module The parse-thread pool against the one-thread reader, over the seeded corpus cut into files of
 * every form (JSON lines over many pieces with bad lines, CRLF and a BOM, gzip, a JSON array, a truncated
 * gzip): the same records in the same order, the same report with the same file and line for each
 * problem, and the same findings. The threads run compiled code, so the pool is imported from `dist`
 * (`npm test` builds first).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { AuditEngine } from "../../src/audit/engine.js";
import { parseCidrList } from "../../src/common/network.js";
import type { AuditRecord } from "../../src/audit/record.js";
import { readRecordFiles } from "../../src/audit/sources/files.js";
import type * as Pool from "../../src/audit/sources/parallelFiles.js";
import { RecordPacker, RecordUnpacker } from "../../src/audit/sources/recordBatch.js";
import { IngestReport } from "../../src/audit/sources/report.js";
import { generateCorpus } from "../helpers/auditCorpus.js";
import { detectors } from "../../src/audit/detectors/registry.js";

// The built module, typed as its source.
const built = "../../dist/src/audit/sources/parallelFiles.js";
const { readAuditFiles } = (await import(built)) as typeof Pool;

const corpus = generateCorpus({ seed: 7, scenarios: true });
const lines = corpus.records.map((r) => JSON.stringify(r));
const dir = mkdtempSync(join(tmpdir(), "kvguard-parallel-files-"));
const third = Math.floor(lines.length / 3);
// Bad lines spread through the file, so problems fall in pieces other than the first.
const body = lines.slice(0, 2 * third).flatMap((line, i) => (i % 1000 === 700 ? ["{oops", "", line] : [line]));
writeFileSync(join(dir, "a-lines.jsonl"), "\uFEFF" + body.join("\r\n") + "\r\n" + JSON.stringify({ ...corpus.records[5], time: "soon" }));
writeFileSync(join(dir, "b-lines.json.gz"), gzipSync(lines.slice(2 * third).join("\n") + "\n"));
writeFileSync(join(dir, "c-array.json"), JSON.stringify(corpus.records.slice(0, 50), null, 1));
const zipped = gzipSync(lines.slice(0, third).join("\n"));
writeFileSync(join(dir, "d-truncated.json.gz"), zipped.subarray(0, zipped.length / 2));

async function collect(batches: AsyncIterable<AuditRecord[]>): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const batch of batches) records.push(...batch);
  return records;
}

function findings(records: AuditRecord[]): string {
  const engine = new AuditEngine({
    detectors,
    inputs: { threatIntel: parseCidrList(corpus.threatIntel), allowedNetworks: parseCidrList(corpus.allowedNetworks), canaries: corpus.canaries },
    selfIds: corpus.selfIds,
  });
  engine.process(records);
  return JSON.stringify(engine.finish());
}

const oneThread = new IngestReport();
const expected0 = collect(readRecordFiles([dir], oneThread));

describe("audit files read by parse threads", () => {
  const expected = expected0;

  it.each([1, 2])("gives the records, report and findings of one thread, with %i parse threads", async (threads) => {
    const report = new IngestReport();
    const records = await collect(readAuditFiles([dir], report, { threads }));
    const want = await expected;
    expect(want.length).toBeGreaterThan(lines.length);
    expect(oneThread.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/^stopped reading/));
    expect(oneThread.malformed).toBeGreaterThan(5);
    expect(records).toEqual(want);
    expect(report.toJSON()).toEqual(oneThread.toJSON());
    expect(findings(records)).toBe(findings(want));
  });

  it("reports progress in bytes read and stops its threads when the reader stops early", async () => {
    const seen: number[] = [];
    let batches = 0;
    for await (const batch of readAuditFiles([join(dir, "a-lines.jsonl")], new IngestReport(), { threads: 1, onBytes: (n) => seen.push(n) })) {
      expect(batch.length).toBeGreaterThan(0);
      if (++batches === 2) break;
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("carries a line longer than a piece whole into the next piece", async () => {
    const long = JSON.stringify({ ...corpus.records[1], properties: { ...(corpus.records[1]!.properties as object), clientInfo: "x".repeat(2_500_000) } });
    const path = join(mkdtempSync(join(tmpdir(), "kvguard-long-line-")), "long.jsonl");
    writeFileSync(path, [...lines.slice(0, 3000), long, ...lines.slice(3000, 6000)].join("\n") + "\n");
    const report = new IngestReport();
    const records = await collect(readAuditFiles([path], report, { threads: 1 }));
    expect(records).toHaveLength(6001);
    expect(records[3000]!.client).toHaveLength(2_500_000);
    expect(records).toEqual(await collect(readRecordFiles([path], new IngestReport())));
    expect(report.malformed).toBe(0);
  });

  it.each([
    ["plain", "long.jsonl", (text: string) => Buffer.from(text)],
    ["gzip", "long.jsonl.gz", (text: string) => gzipSync(text)],
  ] as const)("skips a %s line over the cap as one malformed line, as one thread does", async (_form, name, encode) => {
    const huge = `{"time":"${"y".repeat(20 * 1024 * 1024)}"}`;
    const path = join(mkdtempSync(join(tmpdir(), "kvguard-over-cap-")), name);
    writeFileSync(path, encode([...lines.slice(0, 3000), huge, ...lines.slice(3000, 6000), huge].join("\n") + "\n"));
    const report = new IngestReport();
    const records = await collect(readAuditFiles([path], report, { threads: 1 }));
    const alone = new IngestReport();
    expect(records).toEqual(await collect(readRecordFiles([path], alone)));
    expect(records).toHaveLength(6000);
    expect(report.problems.map((p) => `${p.line} ${p.message}`)).toEqual([
      "3001 line longer than 8 MB, skipped (an audit record is a few KB)",
      "6002 line longer than 8 MB, skipped (an audit record is a few KB)",
    ]);
    expect(report.toJSON()).toEqual(alone.toJSON());
  });

  it("reads in this thread when asked for no threads", async () => {
    const report = new IngestReport();
    expect(await collect(readAuditFiles([dir], report, { threads: 0 }))).toEqual(await expected);
    expect(report.toJSON()).toEqual(oneThread.toJSON());
  });
});

describe("packed records", () => {
  it("unpack equal to what was packed, across batches and a value table that starts again", async () => {
    const all = await expected0;
    // The scenarios that change access policies and vault settings fall in the last week.
    const records = [...all.slice(0, 3000), ...all.filter((r) => r.policyChange || r.vaultConfig)];
    expect(records.some((r) => r.policyChange) && records.some((r) => r.vaultConfig) && records.some((r) => r.principal.upn)).toBe(true);
    const packer = new RecordPacker(100);
    const unpacker = new RecordUnpacker();
    const out: AuditRecord[] = [];
    for (let i = 0; i < records.length; i += 250) {
      for (const r of records.slice(i, i + 250)) packer.add(r);
      out.push(...unpacker.unpack(packer.take()));
    }
    expect(out).toEqual(records);
  });
});
