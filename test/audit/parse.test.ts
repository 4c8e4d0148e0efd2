/**
 * @module The normalised record from each input form: archived AuditEvents (current, old claim URLs,
 * challenge), Log Analytics AzureDiagnostics and AZKVAuditLogs rows with numbers and booleans as strings,
 * and malformed input named by field. Fixtures are the project's own, modelled on published records.
 */
import { describe, expect, it } from "vitest";
import { fromAuditEvent } from "../../src/audit/parse/archive.js";
import { RecordError } from "../../src/audit/parse/fields.js";
import { fromAzkvAuditLogsRow, fromAzureDiagnosticsRow, rowsAsObjects } from "../../src/audit/parse/logAnalytics.js";
import { auditRecord, parseObjectUrl } from "../../src/audit/record.js";

const RESOURCE = "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/FIXTURE-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/FIXTURE-VAULT";
const V = "0123456789abcdef0123456789abcdef";

const current = {
  time: "2025-03-04T10:11:12.1234567Z",
  category: "AuditEvent",
  operationName: "SecretGet",
  resultType: "Success",
  correlationId: "5f2b9c1e-8d3a-4e6f-9a0b-1c2d3e4f5a6b",
  callerIpAddress: "10.1.2.3",
  identity: { claim: { oid: "11111111-2222-4333-8444-555555555555", appid: "66666666-7777-4888-9999-000000000000", idtyp: "app" } },
  properties: {
    id: `https://fixture-vault.vault.azure.net/secrets/DB-Password/${V}`,
    clientInfo: "azsdk-js-keyvault-secrets/4.11.2",
    httpStatusCode: 403,
    requestUri: "https://fixture-vault.vault.azure.net/secrets/DB-Password/?api-version=2025-07-01",
  },
  resourceId: RESOURCE,
  operationVersion: "2025-07-01",
  resultSignature: "Forbidden",
  durationMs: "12",
};

describe("archived AuditEvent records", () => {
  it("takes the status from httpStatusCode, the duration as a number, the object normalised", () => {
    const r = fromAuditEvent(current);
    expect(auditRecord.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      timeMs: Date.parse("2025-03-04T10:11:12.123Z"),
      vault: { name: "fixture-vault", resourceId: RESOURCE },
      operation: "SecretGet",
      status: 403,
      principal: { oid: "11111111-2222-4333-8444-555555555555", appid: "66666666-7777-4888-9999-000000000000", idtyp: "app" },
      ip: "10.1.2.3",
      object: { type: "secrets", name: "db-password", version: V },
      durationMs: 12,
    });
  });

  it("reads claim URLs of old records and the 401 challenge without identity", () => {
    const old = fromAuditEvent({
      ...current,
      identity: {
        claim: {
          "http://schemas.microsoft.com/identity/claims/objectidentifier": "d9da5048-2737-4770-bd64-aaaaaaaaaaaa",
          "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "Someone@Example.com",
          appid: "1950a258-227b-4e31-a9cf-bbbbbbbbbbbb",
        },
      },
    });
    expect(old.principal).toEqual({ oid: "d9da5048-2737-4770-bd64-aaaaaaaaaaaa", upn: "someone@example.com", appid: "1950a258-227b-4e31-a9cf-bbbbbbbbbbbb" });
    const challenge = fromAuditEvent({
      ...current,
      operationName: "Authentication",
      identity: {},
      properties: { ...current.properties, id: undefined, httpStatusCode: 401 },
    });
    expect(challenge.principal).toEqual({});
    expect(challenge.status).toBe(401);
  });

  it("accepts a status given as a string and reads vault settings and policy changes", () => {
    const r = fromAuditEvent({
      ...current,
      operationName: "VaultPatch",
      properties: {
        requestUri: "https://management.azure.com/subscriptions/x/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/fixture-vault?api-version=2023-07-01",
        httpStatusCode: "200",
        addedAccessPolicy: [{ ObjectId: "AAAA0000-0000-4000-8000-000000000000" }],
        properties: { enablePurgeProtection: "false", softDeleteRetentionInDays: "7", networkAcls: { defaultAction: "Allow" } },
      },
    });
    expect(r.status).toBe(200);
    expect(r.object).toBeUndefined();
    expect(r.policyChange).toEqual({ added: ["aaaa0000-0000-4000-8000-000000000000"], removed: [] });
    expect(r.vaultConfig).toEqual({ enablePurgeProtection: false, softDeleteRetentionInDays: 7, networkDefaultAction: "Allow" });
  });

  it.each([
    ["2026-01-05T10:11:12.1234567Z", "2026-01-05T10:11:12.123Z"],
    ["2026-01-05T10:11:12Z", "2026-01-05T10:11:12.000Z"],
    ["2026-01-05T10:11:12.5Z", "2026-01-05T10:11:12.500Z"],
    ["2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"],
    ["2026-01-05T10:11:12+01:00", "2026-01-05T09:11:12.000Z"],
  ])("reads the time %s as %s", (time, expected) => {
    const r = fromAuditEvent({ ...current, time });
    expect(r.timeMs).toBe(Date.parse(expected));
  });

  it("rejects malformed records with an error naming the field", () => {
    const cases: [unknown, RegExp][] = [
      [{ ...current, time: "yesterday" }, /time/],
      [{ ...current, time: "2026-01-05T10:11:12.1a3Z" }, /time/],
      [{ ...current, properties: { ...current.properties, httpStatusCode: "abc" } }, /httpStatusCode/],
      [{ ...current, resourceId: "/nowhere", properties: { ...current.properties, id: undefined, requestUri: "https://example.com/x" } }, /resourceId/],
      [{ ...current, durationMs: "-3" }, /durationMs/],
      [{ ...current, operationName: "" }, /operationName/],
      [{ ...current, properties: "x" }, /properties/],
      [[1, 2], /array/],
    ];
    for (const [value, message] of cases) {
      expect(() => fromAuditEvent(value)).toThrow(RecordError);
      expect(() => fromAuditEvent(value)).toThrow(message);
    }
  });
});

describe("object URLs", () => {
  it.each([
    [`https://v.vault.azure.net/secrets/a/${V}`, { type: "secrets", name: "a", version: V }],
    ["https://v.vault.azure.net/secrets/A/?api-version=7.4", { type: "secrets", name: "a" }],
    [`https://v.vault.azure.net/keys/k/${V}/sign?api-version=7.4`, { type: "keys", name: "k", version: V }],
    ["https://v.vault.azure.net/keys/k/sign", { type: "keys", name: "k" }],
    ["https://v.vault.azure.net/deletedsecrets/gone?api-version=7.4", { type: "secrets", name: "gone" }],
    ["https://v.vault.azure.net/secrets/My%2DSecret", { type: "secrets", name: "my-secret" }],
    // A broken escape (Key Vault refuses the name, but the attempt is logged) keeps the name as written.
    ["https://v.vault.azure.net/secrets/Bad%E0%A4%A", { type: "secrets", name: "bad%e0%a4%a" }],
    ["https://v.vault.azure.net/secrets?api-version=7.4", undefined],
    ["https://v.vault.azure.net/", undefined],
    ["https://management.azure.com/subscriptions/x/vaults/v", undefined],
  ])("%s", (url, expected) => {
    expect(parseObjectUrl(url)).toEqual(expected);
  });
});

describe("Log Analytics rows", () => {
  it("reads AzureDiagnostics type-suffixed columns, numbers as strings, mangled claim URLs", () => {
    const r = fromAzureDiagnosticsRow({
      TimeGenerated: "2025-01-07T20:00:00.0483028Z",
      ResourceId: RESOURCE,
      OperationName: "VaultGet",
      ResultType: "Success",
      ResultSignature: "OK",
      CorrelationId: "00000000-0000-0000-0000-000000000000",
      requestUri_s: "https://management.azure.com/subscriptions/x/vaults/fixture-vault?api-version=2023-07-01",
      DurationMs: "30",
      CallerIPAddress: "20.40.1.1",
      id_s: "https://fixture-vault.vault.azure.net/",
      clientInfo_s: "AzureResourceGraph.IngestionWorkerService.global/1.24.1.672",
      httpStatusCode_d: "200",
      identity_claim_appid_g: "509e4652-da8d-478d-a730-e9d4a1996ca4",
      identity_claim_http_schemas_microsoft_com_identity_claims_objectidentifier_g: "22222222-0000-4000-8000-000000000000",
      properties_enablePurgeProtection_b: "true",
      properties_enableSoftDelete_b: true,
      Type: "AzureDiagnostics",
    });
    expect(r).toMatchObject({
      operation: "VaultGet",
      status: 200,
      durationMs: 30,
      vault: { name: "fixture-vault" },
      principal: { oid: "22222222-0000-4000-8000-000000000000", appid: "509e4652-da8d-478d-a730-e9d4a1996ca4" },
      vaultConfig: { enablePurgeProtection: true, enableSoftDelete: true },
    });
  });

  it("reads AZKVAuditLogs typed columns, Identity as a JSON string, the vault from the object URL", () => {
    const [row] = rowsAsObjects(
      [
        { name: "TimeGenerated" },
        { name: "OperationName" },
        { name: "ResultSignature" },
        { name: "HttpStatusCode" },
        { name: "DurationMs" },
        { name: "CallerIpAddress" },
        { name: "CorrelationId" },
        { name: "Identity" },
        { name: "Id" },
        { name: "RequestUri" },
        { name: "EnableRbacAuthorization" },
      ],
      [
        [
          new Date("2026-11-27T10:00:00.123Z"),
          "SecretGet",
          "OK",
          "200",
          12,
          "203.0.113.10",
          "c1",
          '{"claim":{"oid":"00000000-0000-0000-0000-000000000001","appid":"00000000-0000-0000-0000-000000000002"}}',
          `https://kv1.vault.azure.net/secrets/s1/${V}`,
          "https://kv1.vault.azure.net/secrets/s1/?api-version=2026-04-01",
          "false",
        ],
      ],
    );
    const r = fromAzkvAuditLogsRow(row!);
    expect(r).toMatchObject({
      timeMs: Date.parse("2026-11-27T10:00:00.123Z"),
      status: 200,
      vault: { name: "kv1" },
      principal: { oid: "00000000-0000-0000-0000-000000000001", appid: "00000000-0000-0000-0000-000000000002" },
      object: { type: "secrets", name: "s1", version: V },
      vaultConfig: { enableRbacAuthorization: false },
    });
    expect(() => fromAzkvAuditLogsRow({ ...row, HttpStatusCode: "n/a" })).toThrow(/httpStatusCode/);
  });
});
