/**
 * @module Reports end to end on the local stack (Key Vault, Azurite, the local cloud's ARM): `kvguard report`
 * (the built CLI as a child process, and in process for the quick cases) writing every format and snapshots to a folder, and the functions `complianceReportNow`
 * (a real HttpRequest) and `complianceReport` (the timer) with a real InvocationContext, storing in the report
 * container in Azurite and announcing through alerting to a local Teams receiver; and the `npm start` demo's report.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { HttpRequest, HttpResponse, InvocationContext, type Timer } from "@azure/functions";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp, useApp } from "../../src/app/index.js";
import { reportCommand } from "../../src/cli/reportCommand.js";
import { reportDocumentSchema } from "../../src/compliance/report/schema.js";
import { complianceReport } from "../../src/functions/complianceReport.js";
import { complianceReportNow } from "../../src/functions/complianceReportNow.js";
import { writeDemoReport } from "../../dev/demo/reportDemo.js";
import { startTeamsReceiver, type TeamsReceiver } from "../alerts/helpers/teamsReceiver.js";
import { runCli } from "../helpers/cli.js";
import { readPdf } from "../helpers/pdf.js";
import { parseCsv } from "./reportCsv.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { DAY_MS } from "../../src/common/duration.js";

let stack: LocalStack;
let receiver: TeamsReceiver;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  [stack, receiver, dir] = await Promise.all([
    startLocalStack({ vaults: ["shop", "ledger"] }),
    startTeamsReceiver(),
    mkdtemp(join(tmpdir(), "kvguard-report-e2e-")),
  ]);
  env = {
    ...stack.env,
    KVGUARD_ALERT_RULES: JSON.stringify({ channels: { auditors: { type: "teams" } }, routes: [{ kinds: ["report-ready"], channels: ["auditors"] }] }),
    KVGUARD_ALERT_TEAMS_WEBHOOKS: `auditors=${receiver.url}`,
  };
  const { secrets, keys } = stack.tv.clients({ name: "kvguard" }, "shop");
  const now = stack.tv.kv.clock.nowMs();
  await secrets.setSecret("api-token", "value-one", { contentType: "text/plain", expiresOn: new Date(now + 10 * DAY_MS) });
  await secrets.setSecret("no-expiry", "value-two");
  await keys.createRsaKey("signing", { keySize: 2048, expiresOn: new Date(now + 200 * DAY_MS) });
  await stack.tv.clients({ name: "kvguard" }, "ledger").secrets.setSecret("ledger-db", "value-three", { expiresOn: new Date(now + 400 * DAY_MS) });
});

afterAll(async () => {
  await Promise.all([stack?.stop(), receiver?.close(), dir && rm(dir, { recursive: true, force: true })]);
});

afterEach(() => {
  vi.unstubAllEnvs();
  useApp(undefined);
});

describe("kvguard report", () => {
  it("writes every format and a snapshot, and a later report shows the change", async () => {
    const out = join(dir, "cli");
    const first = await runCli(["report", "--out", out], env);
    expect(first.stderr).toMatch(/kvguard report: 2 vaults, \d+ results/);
    expect(first.code).toBe(0);
    const paths = first.stdout.trim().split("\n");
    expect(paths.map((p) => p.slice(out.length + 1).replace(/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ/, "TIME"))).toEqual([
      "kvguard-compliance-TIME.html",
      "kvguard-compliance-TIME.csv",
      "kvguard-compliance-TIME.json",
      "kvguard-compliance-TIME.pdf",
      "snapshots/all/TIME.json",
    ]);
    const doc = reportDocumentSchema.parse(JSON.parse(await readFile(paths[2]!, "utf8")));
    expect(doc.scope.vaults).toEqual(["shop", "ledger"]);
    const noExpiry = doc.results.filter((r) => r.objectName === "no-expiry");
    expect(noExpiry.some((r) => r.outcome === "fail" && /expir/i.test(r.checkId))).toBe(true);
    expect(doc.inventory.map((i) => i.name).sort()).toEqual(["api-token", "ledger-db", "no-expiry", "signing"]);
    const csv = await readFile(paths[1]!, "utf8");
    expect(parseCsv(csv).length).toBe(doc.results.length + 1);
    expect(await readFile(paths[0]!, "utf8")).toContain("no-expiry");
    const pdf = await readPdf(paths[3]!);
    expect(pdf.pages).toBeGreaterThan(0);
    expect(pdf.text).toContain("Key Vault compliance report");
    // No secret value in any file.
    for (const path of paths) expect(await readFile(path, "latin1")).not.toMatch(/value-(one|two|three)/);

    stack.tv.kv.clock.advance((2 * DAY_MS) / 1000);
    // The same command in this process (quicker than another child): one vault, one framework, its own snapshot scope.
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const printed: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => done(void printed.push(chunk.toString())) });
    expect(await reportCommand(["--out", out, "--vault", "shop", "--framework", "pci", "--format", "json"], sink, sink)).toBe(0);
    const narrowedDoc = reportDocumentSchema.parse(JSON.parse(await readFile(printed[0]!.trim(), "utf8")));
    expect(narrowedDoc.scope).toEqual({ frameworks: ["pci"], vaults: ["shop"] });
    expect(narrowedDoc.changes?.previous).toBeNull();
    expect(printed[1]).toContain(join(out, "snapshots", "pci_vault-shop"));

    const second = await runCli(["report", "--out", out, "--format", "json"], env);
    expect(second.code).toBe(0);
    const secondDoc = reportDocumentSchema.parse(JSON.parse(await readFile(second.stdout.split("\n")[0]!, "utf8")));
    expect(secondDoc.changes?.previous).toBe(doc.generatedAt);
    expect(secondDoc.changes?.trend.map((p) => p.generatedAt)).toEqual([doc.generatedAt, secondDoc.generatedAt]);
    expect(Date.parse(secondDoc.generatedAt) - Date.parse(doc.generatedAt)).toBeGreaterThanOrEqual(2 * DAY_MS);
  });

  it("refuses a bad framework or format, naming the choices", async () => {
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    await expect(reportCommand(["--framework", "sox"], sink, sink)).rejects.toThrow(
      '"sox" is not a framework. Use one or more of azure-policy, cis, mcsb, pci, nist-800-57, iso-27001',
    );
    await expect(reportCommand(["--format", "html,docx"], sink, sink)).rejects.toThrow("(docx unknown). Use one or more of html, csv, json, pdf");
  });
});

describe("the npm start report", () => {
  it("writes the demo report's four formats and snapshot and returns their paths", async () => {
    const out = join(dir, "demo");
    const report = await writeDemoReport({ app: createApp(env), outDir: out, vaults: ["shop"] });
    expect(
      report.paths.map((p) =>
        p
          .slice(out.length + 1)
          .split(/[-.]/)
          .at(-1),
      ),
    ).toEqual(["html", "csv", "json", "pdf", "json"]);
    expect(report.paths.at(-1)).toContain(join(out, "snapshots", "vault-shop"));
    expect(report.summary).toMatch(/^1 vaults, \d+ results: \d+ fail/);
  });
});

describe("complianceReportNow and complianceReport", () => {
  function context(name: string, logs: string[]): InvocationContext {
    return new InvocationContext({
      functionName: name,
      invocationId: "test",
      logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(" ")}`),
    });
  }

  it("store the report in the container and announce it", async () => {
    useApp(createApp(env));
    const logs: string[] = [];
    const bad = await complianceReportNow.handler(
      new HttpRequest({ method: "POST", url: "http://localhost:7071/api/report?format=docx" }),
      context("complianceReportNow", logs),
    );
    expect(bad).toMatchObject({ status: 400, jsonBody: { error: expect.stringContaining("docx unknown") as string } });

    const result = await complianceReportNow.handler(
      new HttpRequest({ method: "POST", url: "http://localhost:7071/api/report?format=html,json&framework=cis" }),
      context("complianceReportNow", logs),
    );
    const response = result instanceof HttpResponse ? result : new HttpResponse(result);
    const body = (await response.json()) as { files: { format: string; location: string }[]; snapshot: string; totals: { total: number } };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.files.map((f) => f.format)).toEqual(["html", "json"]);
    expect(body.files[0]!.location).toMatch(
      /\/kvguard-reports\/reports\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\/kvguard-compliance-cis-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.html$/,
    );
    const container = BlobServiceClient.fromConnectionString(stack.azurite.connectionString).getContainerClient("kvguard-reports");
    const jsonBlob = decodeURIComponent(new URL(body.files[1]!.location).pathname).split("/kvguard-reports/")[1]!;
    const stored = reportDocumentSchema.parse(JSON.parse((await container.getBlobClient(jsonBlob).downloadToBuffer()).toString("utf8")));
    expect(stored.scope.frameworks).toEqual(["cis"]);
    expect(stored.summary.totals.total).toBe(body.totals.total);
    const card = JSON.stringify(receiver.delivered().at(-1));
    expect(card).toContain("Key Vault compliance report of");
    expect(card).toContain(body.files[0]!.location);

    const before = receiver.delivered().length;
    await complianceReport.handler({ isPastDue: false } as Timer, context("complianceReport", logs));
    expect(logs.some((l) => /^information: compliance report: 2 vaults/.test(l))).toBe(true);
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat()) names.push(blob.name);
    expect(names.filter((n) => n.startsWith("snapshots/")).map((n) => n.split("/")[1])).toEqual(expect.arrayContaining(["all", "cis"]));
    expect(names.filter((n) => /^reports\/.*\/kvguard-compliance-[0-9T-]+Z\.(html|csv|json|pdf)$/.test(n)).length).toBe(4);
    expect(receiver.delivered().length).toBe(before + 1);
  });
});
