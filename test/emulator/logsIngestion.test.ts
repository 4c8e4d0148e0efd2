/**
 * The local cloud's Logs Ingestion API through the real `@azure/monitor-ingestion` LogsIngestionClient
 * (Entra, gzip, its own 1 MB chunking) and `@azure/arm-monitor` (reading endpoints and rules): records
 * checked against the rule's declared columns (refused in strict validation, dropped and logged as DCR
 * errors in Azure's), Monitoring Metrics Publisher and the rule's endpoint binding checked, the 1 MB limit
 * compressed and not, 429/5xx injected for retry tests, rules PUT as a deployment sends them (raw HTTPS,
 * since the SDK's api-version predates stream declarations), and what was ingested read back across a restart.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { MonitorClient } from "@azure/arm-monitor";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalCloud } from "../../emulator/cloud/index.js";
import { LOCAL_RESOURCE_GROUP as RG, LOCAL_SUBSCRIPTION_ID as SUB, LocalKeyVault } from "../../emulator/index.js";
import { DevTokenCredential, devClaims } from "../../src/azure/devCredential.js";
import { httpsRequest, type RawResponse } from "../helpers/https.js";
import { adminCall, startTestCloud, type TestCloud } from "../helpers/localCloud.js";

const uploader = { name: "logs-uploader" };
const STREAM = "Custom-KvguardFindings";
const TABLE = "KvguardFindings_CL";

const findingColumns = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "Detector", type: "string" },
  { name: "Severity", type: "string" },
  { name: "Count", type: "int" },
  { name: "Score", type: "real" },
  { name: "Resolved", type: "boolean" },
  { name: "Details", type: "dynamic" },
];

function ruleProperties(stream = STREAM, table = TABLE) {
  return {
    streamDeclarations: { [stream]: { columns: findingColumns } },
    destinations: {
      logAnalytics: [
        { workspaceResourceId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.OperationalInsights/workspaces/local`, name: "workspace" },
      ],
    },
    dataFlows: [{ streams: [stream], destinations: ["workspace"], transformKql: "source", outputStream: `Custom-${table}` }],
  };
}

interface RuleView {
  name: string;
  immutableId: string;
  ingestionEndpoint: string;
}

let t: TestCloud;
let rule: RuleView;

function finding(i: number): Record<string, unknown> {
  return {
    TimeGenerated: "2026-03-04T05:06:07Z",
    Detector: "unused-secret",
    Severity: "low",
    Count: i,
    Score: 0.5,
    Resolved: false,
    Details: { vault: "demo", n: i },
  };
}

function client(identity = uploader, retries = 0): LogsIngestionClient {
  return new LogsIngestionClient(rule.ingestionEndpoint, new DevTokenCredential(identity), {
    tlsOptions: { ca: t.ca },
    retryOptions: { maxRetries: retries, retryDelayInMs: 10 },
  });
}

/** The status of the one failed chunk of an upload, and its error's code. */
async function uploadFailure(upload: Promise<void>): Promise<{ status?: number; code?: string; message: string }> {
  const error: unknown = await upload.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAggregateLogsUploadError(error)) throw new Error(`expected an AggregateLogsUploadError, got ${String(error)}`);
  const cause = error.errors[0]!.cause as Error & { statusCode?: number; code?: string };
  return { status: cause.statusCode, code: cause.code, message: cause.message };
}

async function rows(table = TABLE): Promise<{ rule: string; stream: string; row: Record<string, unknown> }[]> {
  return (await t.admin("GET", `/management/monitor/tables/${table}`)).json() as { rule: string; stream: string; row: Record<string, unknown> }[];
}

async function rawIngest(body: Buffer | string, headers: Record<string, string>, identity = uploader, stream = STREAM): Promise<RawResponse> {
  const { token } = await new DevTokenCredential(identity).getToken("https://monitor.azure.com/.default");
  return httpsRequest(`${rule.ingestionEndpoint}/dataCollectionRules/${rule.immutableId}/streams/${stream}?api-version=2023-01-01`, {
    method: "POST",
    ca: t.ca,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...headers },
    body,
  });
}

beforeAll(async () => {
  t = await startTestCloud();
  expect((await t.admin("POST", "/management/monitor/dataCollectionEndpoints", { name: "kvguard-dce" })).status).toBe(201);
  const created = await t.admin("POST", "/management/monitor/dataCollectionRules", {
    name: "kvguard-dcr",
    dataCollectionEndpoint: "kvguard-dce",
    publishers: [devClaims(uploader).oid!],
    properties: ruleProperties(),
  });
  expect(created.status, created.text).toBe(201);
  rule = created.json() as RuleView;
});
afterAll(() => t.stop());

describe("uploads through LogsIngestionClient", () => {
  it("ingests gzipped records into the rule's output table, readable back", async () => {
    await client().upload(rule.immutableId, STREAM, [finding(1), finding(2)]);
    const ingested = await rows();
    expect(ingested.map((r) => r.row)).toEqual([finding(1), finding(2)]);
    expect(ingested[0]).toMatchObject({ rule: "kvguard-dcr", stream: STREAM });
  });

  it("takes an upload the SDK splits into 1 MB calls", async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ ...finding(1000 + i), Details: { padding: "p".repeat(10_000) } }));
    await client().upload(rule.immutableId, STREAM, many);
    expect((await rows()).filter((r) => (r.row.Count as number) >= 1000)).toHaveLength(300);
  });

  it("refuses, in strict validation, a record that does not fit a column or has an undeclared one, and ingests nothing of the call", async () => {
    const before = (await rows()).length;
    const wrongType = await uploadFailure(client().upload(rule.immutableId, STREAM, [finding(1), { ...finding(2), Count: "two" }]));
    expect(wrongType).toMatchObject({ status: 400, code: "InvalidRecords" });
    expect(wrongType.message).toContain("'Count' is int but the value is a string");
    const undeclared = await uploadFailure(client().upload(rule.immutableId, STREAM, [{ ...finding(3), Severityy: "typo" }]));
    expect(undeclared.message).toContain("'Severityy', which the stream does not declare");
    const tooBig = await uploadFailure(client().upload(rule.immutableId, STREAM, [{ ...finding(4), Count: 2 ** 31 }]));
    expect(tooBig.status).toBe(400);
    expect((await rows()).length).toBe(before);
  });

  it("refuses an undeclared stream, an unknown rule and a caller without Monitoring Metrics Publisher", async () => {
    expect(await uploadFailure(client().upload(rule.immutableId, "Custom-Nope", [finding(1)]))).toMatchObject({ status: 400, code: "InvalidStream" });
    expect(await uploadFailure(client().upload("dcr-00000000000000000000000000000000", STREAM, [finding(1)]))).toMatchObject({ status: 404 });
    const denied = await uploadFailure(client({ name: "logs-outsider" }).upload(rule.immutableId, STREAM, [finding(1)]));
    expect(denied).toMatchObject({ status: 403, code: "OperationFailed" });
    expect(denied.message).toContain(`does not have access to ingest data for the data collection rule with immutable Id '${rule.immutableId}'`);
    const wrongAudience = await new DevTokenCredential(uploader).getToken("https://management.azure.com/.default");
    const res = await httpsRequest(`${rule.ingestionEndpoint}/dataCollectionRules/${rule.immutableId}/streams/${STREAM}?api-version=2023-01-01`, {
      method: "POST",
      ca: t.ca,
      headers: { Authorization: `Bearer ${wrongAudience.token}`, "Content-Type": "application/json" },
      body: "[]",
    });
    expect(res.status).toBe(401);
  });

  it("holds the 1 MB limit for the call as sent and once uncompressed, and refuses what is not gzip or JSON", async () => {
    const big = JSON.stringify([{ ...finding(1), Details: { padding: "x".repeat(1024 * 1024) } }]);
    expect((await rawIngest(big, {})).status).toBe(413);
    const bomb = gzipSync(big);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const inflated = await rawIngest(bomb, { "Content-Encoding": "gzip" });
    expect(inflated.status).toBe(413);
    expect(inflated.json()).toMatchObject({ error: { code: "ContentLengthLimitExceeded" } });
    expect((await rawIngest(Buffer.from("not gzip"), { "Content-Encoding": "gzip" })).status).toBe(400);
    expect((await rawIngest("[]", { "Content-Encoding": "br" })).status).toBe(415);
    expect((await rawIngest("[{", {})).json()).toMatchObject({ error: { code: "InvalidJson" } });
    expect((await rawIngest(JSON.stringify(finding(1)), {})).status).toBe(400);
  });

  it("in Azure's validation, answers 204, drops misfit values and logs each as a DCR error", async () => {
    expect((await t.admin("PATCH", "/management/monitor/dataCollectionRules/kvguard-dcr", { validation: "azure" })).status).toBe(200);
    try {
      await client().upload(rule.immutableId, STREAM, [{ ...finding(5000), Score: "high", Extra: 1 }]);
      expect((await rawIngest(JSON.stringify(finding(5001)), { "x-ms-client-request-id": "req-1" })).status).toBe(204);
      const row = (await rows()).find((r) => r.row.Count === 5000)!.row;
      expect(row).not.toHaveProperty("Score");
      expect(row).not.toHaveProperty("Extra");
      expect((await rows()).some((r) => r.row.Count === 5001)).toBe(false);
      const errors = (await t.admin("GET", "/management/monitor/dataCollectionRules/kvguard-dcr/errors")).json() as {
        Message: string;
        InputStreamId: string;
        ClientRequestId: string;
      }[];
      expect(errors.map((e) => e.Message)).toEqual([
        "record #1: 'Score' is real but the value is a string",
        "record #1 has 'Extra', which the stream does not declare",
        "The request body is not a JSON array of records.",
      ]);
      expect(errors[2]).toMatchObject({ InputStreamId: STREAM, ClientRequestId: "req-1" });
    } finally {
      await t.admin("PATCH", "/management/monitor/dataCollectionRules/kvguard-dcr", { validation: "strict" });
    }
  });

  it("lets tests inject 429 (retried by the SDK after Retry-After) and 503s that outlast its retries", async () => {
    t.cloud.addFault({ status: 429, count: 1, match: "POST /dce/", retryAfterSeconds: 0 });
    await client(uploader, 2).upload(rule.immutableId, STREAM, [finding(7000)]);
    expect((await rows()).some((r) => r.row.Count === 7000)).toBe(true);
    t.cloud.addFault({ status: 503, count: 3, match: "POST /dce/" });
    expect(await uploadFailure(client(uploader, 2).upload(rule.immutableId, STREAM, [finding(7001)]))).toMatchObject({ status: 503 });
    expect((await rows()).some((r) => r.row.Count === 7001)).toBe(false);
  });
});

describe("data collection rules through ARM", () => {
  async function put(path: string, body: unknown): Promise<RawResponse> {
    const { token } = await new DevTokenCredential({ name: "deployer" }).getToken("https://management.azure.com/.default");
    return httpsRequest(`${t.cloud.url}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Insights/${path}?api-version=2022-06-01`, {
      method: "PUT",
      ca: t.ca,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  it("creates an endpoint and a rule as a deployment does, refusing an invalid rule with Azure's details, and @azure/arm-monitor reads them", async () => {
    expect((await put("dataCollectionEndpoints/deployed-dce", { location: "local", properties: {} })).status).toBe(201);
    const dceId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Insights/dataCollectionEndpoints/deployed-dce`;
    const invalid = await put("dataCollectionRules/deployed-dcr", {
      location: "local",
      properties: {
        dataCollectionEndpointId: dceId,
        streamDeclarations: {
          "Custom-Rotations": {
            columns: [
              { name: "TimeGenerated", type: "datetime" },
              { name: "Type", type: "text" },
            ],
          },
        },
        destinations: { logAnalytics: [{ workspaceResourceId: "/w", name: "ws" }] },
        dataFlows: [{ streams: ["Custom-Undeclared"], destinations: ["ws"], outputStream: "Custom-Rotations" }],
      },
    });
    expect(invalid.status).toBe(400);
    const error = (invalid.json() as { error: { code: string; message: string; details: { code: string; target: string }[] } }).error;
    expect(error).toMatchObject({ code: "InvalidPayload", message: "Data collection rule is invalid" });
    expect(error.details.map((d) => d.code)).toEqual(["InvalidColumnName", "InvalidColumnType", "InvalidStream", "InvalidOutputTable"]);
    expect(error.details[2]!.target).toBe("properties.dataFlows[0]");

    const created = await put("dataCollectionRules/deployed-dcr", {
      location: "local",
      properties: { dataCollectionEndpointId: dceId, ...ruleProperties("Custom-Rotations", "KvguardRotations_CL") },
    });
    expect(created.status, created.text).toBe(201);

    const monitor = new MonitorClient(new DevTokenCredential({ name: "deployer" }), SUB, {
      endpoint: t.cloud.url,
      credentialScopes: ["https://management.azure.com/.default"],
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    });
    const dcr = await monitor.dataCollectionRules.get(RG, "deployed-dcr");
    expect(dcr.immutableId).toMatch(/^dcr-[0-9a-f]{32}$/);
    expect(dcr.dataFlows?.[0]).toMatchObject({ streams: ["Custom-Rotations"], destinations: ["workspace"] });
    const dce = await monitor.dataCollectionEndpoints.get(RG, "deployed-dce");
    expect(dce.logsIngestion?.endpoint).toBe(`${t.cloud.url}/dce/deployed-dce`);

    // Open to every caller (no publishers set), bound to its endpoint only.
    const ingest = new LogsIngestionClient(dce.logsIngestion!.endpoint!, new DevTokenCredential({ name: "anyone" }), {
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    });
    await ingest.upload(dcr.immutableId!, "Custom-Rotations", [finding(1)]);
    expect(await rows("KvguardRotations_CL")).toHaveLength(1);
    const unbound = new LogsIngestionClient(rule.ingestionEndpoint, new DevTokenCredential({ name: "anyone" }), {
      tlsOptions: { ca: t.ca },
      retryOptions: { maxRetries: 0 },
    });
    const refused = await uploadFailure(unbound.upload(dcr.immutableId!, "Custom-Rotations", [finding(2)]));
    expect(refused).toMatchObject({ status: 403 });
    expect(refused.message).toContain("IsDcrDceBindingValid: False");
  });
});

describe("ingested rows across a restart", () => {
  it("keeps endpoints, rules and rows", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kvguard-logs-state-"));
    const kv = await LocalKeyVault.start({ stateDir });
    const cloud = await startLocalCloud({ kv });
    await adminCall(cloud.url, kv.tls.caPem, "POST", "/management/monitor/dataCollectionEndpoints", { name: "kept-dce" });
    const created = await adminCall(cloud.url, kv.tls.caPem, "POST", "/management/monitor/dataCollectionRules", {
      name: "kept-dcr",
      dataCollectionEndpoint: "kept-dce",
      properties: ruleProperties(),
    });
    const kept = created.json() as RuleView;
    const upload = new LogsIngestionClient(kept.ingestionEndpoint, new DevTokenCredential(uploader), { tlsOptions: { ca: kv.tls.caPem } });
    await upload.upload(kept.immutableId, STREAM, [finding(1)]);
    await cloud.close();
    await kv.close();

    const kv2 = await LocalKeyVault.start({ stateDir });
    const cloud2 = await startLocalCloud({ kv: kv2 });
    try {
      expect(cloud2.providers.logs.rule("kept-dcr")!.immutableId).toBe(kept.immutableId);
      expect(cloud2.providers.logs.rows(TABLE).map((r) => r.row)).toEqual([finding(1)]);
    } finally {
      await cloud2.close();
      await kv2.close();
    }
  });
});
