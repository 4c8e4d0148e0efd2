/**
 * @module Files and folders as a source: JSON lines (blank and malformed lines counted with file and
 * line), records wrappers on a line or pretty-printed, JSON arrays, gzip, a last line without newline,
 * and folders in the archive layout read hour by hour across vaults.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/record.js";
import { readRecordFiles } from "../../src/audit/sources/files.js";
import { IngestReport } from "../../src/audit/sources/report.js";
import { generateCorpus } from "../helpers/auditCorpus.js";

const corpus = generateCorpus({ seed: 3, days: 1 });
const sample = corpus.records.slice(0, 6);
const lines = sample.map((r) => JSON.stringify(r));

async function read(paths: string[]): Promise<{ records: AuditRecord[]; report: IngestReport }> {
  const report = new IngestReport();
  const records: AuditRecord[] = [];
  for await (const batch of readRecordFiles(paths, report)) records.push(...batch);
  return { records, report };
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), "kvguard-audit-files-"));
}

describe("audit log files", () => {
  it("reads JSON lines and reports each malformed line with its file and line", async () => {
    const path = join(dir(), "PT1H.json");
    writeFileSync(path, [lines[0], "", lines[1], "{not json", JSON.stringify({ ...sample[2], time: "later" }), lines[3]].join("\n") + "\n");
    const { records, report } = await read([path]);
    expect(records.map((r) => r.correlationId)).toEqual([0, 1, 3].map((i) => sample[i]!.correlationId));
    expect(report.malformed).toBe(2);
    expect(report.problems).toEqual([
      { source: path, line: 4, message: expect.stringMatching(/not JSON/) as unknown },
      { source: path, line: 5, message: expect.stringMatching(/time/) as unknown },
    ]);
  });

  it("reads a pretty-printed records wrapper, a JSON array, wrappers on lines (BOM, CRLF), gzip and a last line without newline", async () => {
    const d = dir();
    writeFileSync(join(d, "a-wrapper.json"), "\uFEFF" + JSON.stringify({ records: sample.slice(0, 2) }, null, 2));
    writeFileSync(join(d, "b-array.json"), JSON.stringify(sample.slice(2, 4), null, 1));
    writeFileSync(join(d, "c-lines.jsonl"), `\uFEFF${JSON.stringify({ records: [sample[4]] })}\r\n${lines[5]}`);
    writeFileSync(join(d, "d.json.gz"), gzipSync(lines.join("\n") + "\n"));
    writeFileSync(join(d, "notes.txt"), "ignored: not a log file name");
    const { records, report } = await read([d]);
    expect(report.malformed).toBe(0);
    expect(report.sources).toBe(4);
    expect(records.map((r) => r.correlationId)).toEqual([...sample, ...sample].map((r) => r.correlationId));
  });

  it("reports a broken document and a truncated gzip without stopping the run", async () => {
    const d = dir();
    writeFileSync(join(d, "a.json"), '{\n  "records": [ {"time": \n');
    writeFileSync(join(d, "b.json.gz"), gzipSync(lines.join("\n")).subarray(0, 40));
    writeFileSync(join(d, "c.json"), lines.join("\n"));
    const { records, report } = await read([d]);
    expect(records).toHaveLength(sample.length);
    expect(report.problems.map((p) => [p.source.slice(d.length + 1), p.line])).toEqual([
      ["a.json", 0],
      ["b.json.gz", 0],
    ]);
  });

  it("reads an archive folder hour by hour across vaults", async () => {
    const d = dir();
    const at = (vault: string, hour: string) => {
      const folder = join(d, `resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/${vault}/y=2026/m=01/d=05/h=${hour}/m=00`);
      mkdirSync(folder, { recursive: true });
      return join(folder, "PT1H.json");
    };
    const record = (vault: string, hour: string) =>
      JSON.stringify({
        ...sample[1],
        resourceId: `/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/${vault}`,
        time: `2026-01-05T${hour}:10:00Z`,
      });
    writeFileSync(at("A", "01"), record("A", "01"));
    writeFileSync(at("A", "02"), record("A", "02"));
    writeFileSync(at("B", "01"), record("B", "01"));
    const { records } = await read([d]);
    expect(records.map((r) => `${r.vault.name} ${new Date(r.timeMs).toISOString().slice(11, 13)}`)).toEqual(["a 01", "b 01", "a 02"]);
  });
});
