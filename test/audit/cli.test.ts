/**
 * @module `kvguard audit` in process over the seeded corpus written as files: three weeks learned in time
 * order with two of warm-up, --since, --format json, threat intel and allowed networks from flags,
 * --state keeping baselines between runs, malformed lines on stderr with file and line, and usage errors.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/audit/finding.js";
import { auditCommand, EXIT_MALFORMED } from "../../src/cli/auditCommand.js";
import { generateCorpus } from "../helpers/auditCorpus.js";

const corpus = generateCorpus({ seed: 7, scenarios: true });
const dir = mkdtempSync(join(tmpdir(), "kvguard-audit-cli-"));
const logs = join(dir, "logs");
// One file a day, as an export would be, plus a bad line in the last one.
{
  const byDay = new Map<string, string[]>();
  for (const r of corpus.records) {
    const day = (r.time as string).slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), JSON.stringify(r)]);
  }
  const days = [...byDay.keys()].sort();
  const { mkdirSync } = await import("node:fs");
  mkdirSync(logs);
  days.forEach((day, i) => writeFileSync(join(logs, `${day}.jsonl`), byDay.get(day)!.join("\n") + (i === days.length - 1 ? "\n{oops\n" : "\n")));
}
const threatIntel = join(dir, "ti.txt");
writeFileSync(threatIntel, corpus.threatIntel);

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough() as PassThrough & { isTTY?: boolean };
  let stdout = "";
  let stderr = "";
  out.on("data", (d: Buffer) => (stdout += d.toString()));
  err.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await auditCommand(args, out, err as unknown as NodeJS.WriteStream);
  return { code, stdout, stderr };
}

describe("kvguard audit over files", () => {
  it("learns from the first two weeks and reports the scenarios of the last", async () => {
    const args = [
      logs,
      "--format",
      "json",
      "--threat-intel",
      threatIntel,
      "--allowed-networks",
      corpus.allowedNetworks,
      "--canary",
      corpus.canaries[0]!,
      "--self-id",
      corpus.selfIds[0]!,
      // The corpus spans weeks: an unused secret shows with a window shorter than the default 90 days.
      "--threshold",
      "persistence_unused_secret.unusedDays=10",
    ];
    const { code, stdout, stderr } = await run(args);
    // One malformed line: the findings are all there, and the exit code says input was skipped.
    expect(code).toBe(EXIT_MALFORMED);
    expect(stderr).toMatch(/1 malformed line\(s\) or record\(s\) skipped; exit code 3/);
    const findings = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Finding);
    const detectors = new Set(findings.map((f) => f.detector));
    for (const label of corpus.labels) expect(detectors, label.scenario).toContain(label.detector);
    expect(stderr).toMatch(new RegExp(`${readdirSync(logs).length} files, ${corpus.records.length} records \\(\\d+ benign\\), 1 malformed`));
    expect(stderr).toMatch(/2026-01-25\.jsonl:\d+: not JSON/);
  });

  it("reports only findings from --since on", async () => {
    const { stdout } = await run([logs, "--format", "json", "--since", "2026-01-24T00:00:00Z"]);
    const findings = stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Finding);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(f.end >= "2026-01-24").toBe(true);
  });

  it("keeps baselines with --state: a second run over the last day alone knows the history", async () => {
    const state = join(dir, "state");
    const days = readdirSync(logs).sort();
    await run([...days.slice(0, -1).map((d) => join(logs, d)), "--state", state]);
    expect(readdirSync(state)).toEqual(["baseline.json.gz"]);
    const detectorsOf = (stdout: string) =>
      new Set(
        stdout
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as Finding).detector),
      );
    // On the last day the legacy worker reads a version kvguard replaced the day before: only the saved
    // version history shows it is stale.
    const withState = await run([join(logs, days.at(-1)!), "--state", state, "--format", "json"]);
    expect(detectorsOf(withState.stdout)).toContain("credential_access_stale_version_read");
    const without = await run([join(logs, days.at(-1)!), "--format", "json"]);
    expect(detectorsOf(without.stdout)).not.toContain("credential_access_stale_version_read");
  });

  it("skips a 60 MB line with a clear error, reads the lines around it, and exits 3", async () => {
    const long = join(dir, "long-line");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(long);
    const good = corpus.records.slice(0, 3).map((r) => JSON.stringify(r));
    const huge = `{"time":"${"x".repeat(60 * 1024 * 1024)}"}`;
    writeFileSync(join(long, "plain.jsonl"), [good[0], huge, good[1], good[2]].join("\n") + "\n");
    writeFileSync(join(long, "zipped.jsonl.gz"), gzipSync([good[0], good[1], huge].join("\n")));
    const { code, stderr } = await run([long, "--format", "json", "--baseline-days", "0"]);
    expect(code).toBe(EXIT_MALFORMED);
    expect(stderr).toMatch(/2 files, 5 records \(\d+ benign\), 2 malformed/);
    expect(stderr).toMatch(/plain\.jsonl:2: line longer than 8 MB, skipped/);
    expect(stderr).toMatch(/zipped\.jsonl\.gz:3: line longer than 8 MB, skipped/);
  });

  it("refuses bad flags with a clear message and exits 2 when no log file is found", async () => {
    await expect(run([logs, "--format", "xml"])).rejects.toThrow(/--format must be table or json/);
    await expect(run([logs, "--baseline-days", "two"])).rejects.toThrow(/--baseline-days must be a whole number/);
    await expect(run([logs, "--threshold", "nope.x=1"])).rejects.toThrow(/"nope" is not a detector/);
    await expect(run([])).rejects.toThrow(/at least one file or folder/);
    const missing = await run([join(dir, "nothing-here")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nothing-here: cannot read: ENOENT[\s\S]*no audit log file found/);
  });
});
