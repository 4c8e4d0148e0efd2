/**
 * @module The emulator's audit archive: SDK traffic through two vaults, then every PT1H.json line checked
 * against the schema the audit pipeline parses with and against the HTTP exchange it logs.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { SecretClient } from "@azure/keyvault-secrets";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvent, auditEventBatch, parseAuditEvent, type AuditEvent } from "../../src/audit/auditEvent.js";
import { devClaims, DevTokenCredential, type DevIdentity } from "../../src/azure/devCredential.js";
import { clientOptions } from "../../src/azure/keyVaultClients.js";
import { httpsRequest } from "../helpers/https.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";

// Own fixtures, modelled on published records: a current SDK read, a 401 challenge, an old-format
// management record with claim URLs, an empty correlation id and a redacted caller.
const FIXTURES = [
  `{"time":"2025-03-04T10:11:12.1234567Z","category":"AuditEvent","operationName":"SecretGet","resultType":"Success","correlationId":"5f2b9c1e-8d3a-4e6f-9a0b-1c2d3e4f5a6b","callerIpAddress":"10.1.2.3","identity":{"claim":{"oid":"11111111-2222-4333-8444-555555555555","appid":"66666666-7777-4888-9999-000000000000","idtyp":"app","tid":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","xms_az_nwperimid":[]}},"properties":{"id":"https://fixture-vault.vault.azure.net/secrets/db-password/0123456789abcdef0123456789abcdef","clientInfo":"azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/1.24.0 Node/20.19.0 OS/(x64-Linux)","httpStatusCode":200,"requestUri":"https://fixture-vault.vault.azure.net/secrets/db-password/?api-version=2025-07-01","isRbacAuthorized":true,"tlsVersion":"TLS1_3","appliedAssignmentId":"abc"},"resourceId":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/FIXTURE-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/FIXTURE-VAULT","operationVersion":"2025-07-01","resultSignature":"OK","durationMs":"12"}`,
  `{"time":"2025-03-04T10:11:11.9000000Z","category":"AuditEvent","operationName":"Authentication","resultType":"Success","correlationId":"00000000-0000-0000-0000-000000000000","callerIpAddress":"10.1.2.3","identity":{},"properties":{"clientInfo":"azsdk-net-Security.KeyVault.Secrets/4.6.0","httpStatusCode":401,"requestUri":"https://fixture-vault.vault.azure.net/secrets/db-password/?api-version=7.4","tlsVersion":"TLS1_2"},"resourceId":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/FIXTURE-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/FIXTURE-VAULT","operationVersion":"7.4","resultSignature":"Unauthorized","durationMs":"3"}`,
  `{"time":"2017-05-06T07:08:09.1000000Z","resourceId":"/SUBSCRIPTIONS/ABCDEF01-2345-6789-ABCD-XXXXXXXXXXXX/RESOURCEGROUPS/OLDGROUP/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/OLDVAULT","operationName":"VaultGet","operationVersion":"2015-06-01","category":"AuditEvent","resultType":"Success","resultSignature":"OK","resultDescription":"","durationMs":"61","callerIpAddress":"<Redacted>","correlationId":"","identity":{"claim":{"http://schemas.microsoft.com/identity/claims/objectidentifier":"01234567-89ab-cdef-0123-XXXXXXXXXXXX","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"live.com#someone@example.com","appid":"fedcba98-7654-3210-fedc-XXXXXXXXXXXX"}},"properties":{"clientInfo":"azure-resource-manager/2.0","requestUri":"https://control-prod-wus.vaultcore.azure.net/subscriptions/abcdef01/resourcegroups/oldgroup/providers/Microsoft.KeyVault/vaults/oldvault?api-version=2015-06-01","id":"https://oldvault.vault.azure.net/","httpStatusCode":200}}`,
  `{"time":"2022-01-02T03:04:05.6000000Z","category":"AuditEvent","operationName":"KeyGet","resultType":"Success","correlationId":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","callerIpAddress":"<Redacted>","identity":{"claim":{"oid":"22222222-3333-4444-8555-666666666666","appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","scp":"user_impersonation","upn":"someone@example.onmicrosoft.com","amr":"pwd"}},"properties":{"id":"https://fixture-vault.vault.azure.net/keys/signing","clientInfo":"azsdk-python-keyvault-keys/4.5.0","httpStatusCode":200,"requestUri":"https://fixture-vault.vault.azure.net/keys/signing/?api-version=7.3-preview","isAccessPolicyMatch":true,"keyProperties":{"type":"RSA"}},"resourceId":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/RESOURCEGROUPS/FIXTURE-RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/FIXTURE-VAULT","operationVersion":"7.3-preview","resultSignature":"OK","durationMs":"245"}`,
];

describe("AuditEvent schema", () => {
  it("accepts current, challenge, old-format and wrapped records, keeping unknown fields", () => {
    for (const line of FIXTURES) expect(auditEvent.safeParse(JSON.parse(line)).error).toBeUndefined();
    const parsed = parseAuditEvent(JSON.parse(FIXTURES[0]!));
    expect(parsed.properties.appliedAssignmentId).toBe("abc");
    expect(parsed.identity.claim?.oid).toBe("11111111-2222-4333-8444-555555555555");
    const wrapped = { records: FIXTURES.map((l) => JSON.parse(l) as unknown) };
    expect(auditEventBatch.parse(wrapped).records).toHaveLength(FIXTURES.length);
  });

  it("rejects malformed records with a message naming the field", () => {
    const base = JSON.parse(FIXTURES[0]!) as Record<string, unknown>;
    const props = base.properties as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      [{ ...base, durationMs: 12 }, /durationMs must be a string of digits[\s\S]*durationMs/],
      [{ ...base, durationMs: "12.5" }, /durationMs must be a string of digits/],
      [{ ...base, category: "Other" }, /category must be "AuditEvent"/],
      [{ ...base, time: "yesterday" }, /time must be an ISO 8601/],
      [{ ...base, resourceId: "/subscriptions/x/vaults/y" }, /resourceId must be a Key Vault ARM id/],
      [{ ...base, properties: { ...props, httpStatusCode: "200" } }, /httpStatusCode must be a number[\s\S]*properties\.httpStatusCode/],
      [{ ...base, properties: { ...props, requestUri: undefined } }, /requestUri is required/],
      [{ ...base, identity: { claim: "oid" } }, /identity\.claim must be an object/],
      [{ ...base, operationName: "" }, /operationName must be a non-empty string/],
      ["not an object", /expected object/i],
    ];
    for (const [value, message] of cases) {
      expect(() => parseAuditEvent(value)).toThrow(message);
    }
  });
});

/** One HTTP exchange as the client saw it, in the order they happened. */
interface Exchange {
  vault: string;
  method: string;
  url: string;
  status: number;
  requestId: string | undefined;
  userAgent: string | undefined;
  /** Claims of the caller when the request carried a token. */
  claims: Record<string, string> | undefined;
  /** `id` of the response body, if any. */
  bodyId: string | undefined;
}

const VAULT_A = "kvg-audit";
// A name that extends the first: its files must not be mixed up with (or closed by) the first's.
const VAULT_B = "kvg-audit2";
const APP: DevIdentity = { name: "audit-app" };
const OUTSIDER: DevIdentity = { name: "audit-outsider", upn: "outsider@kvguard.local" };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_GUID = "00000000-0000-0000-0000-000000000000";
// As the SDKs send it: the query key percent-encoded.
const API = "?api%2Dversion=2025-07-01";
const SIGNATURES: Record<number, string> = {
  200: "OK",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
};
const LAYOUT =
  /^resourceId=\/SUBSCRIPTIONS\/([^/]+)\/RESOURCEGROUPS\/([^/]+)\/PROVIDERS\/MICROSOFT\.KEYVAULT\/VAULTS\/([^/]+)\/y=(\d{4})\/m=(\d{2})\/d=(\d{2})\/h=(\d{2})\/m=00\/PT1H\.json$/;

function expectedOperation(exchange: Exchange): string {
  if (!exchange.claims) return "Authentication";
  const path = new URL(exchange.url).pathname.replace(/\/$/, "");
  const table: [string, RegExp, string][] = [
    ["PUT", /^\/secrets\/[^/]+$/, "SecretSet"],
    ["GET", /^\/secrets$/, "SecretList"],
    ["GET", /^\/secrets\/[^/]+(\/[0-9a-f]{32})?$/, "SecretGet"],
    ["DELETE", /^\/secrets\/[^/]+$/, "SecretDelete"],
    ["GET", /^\/deletedsecrets\/[^/]+$/, "SecretGetDeleted"],
  ];
  const hit = table.find(([method, pattern]) => method === exchange.method && pattern.test(path));
  if (!hit) throw new Error(`test does not know the operation of ${exchange.method} ${path}`);
  return hit[2];
}

interface ArchiveFile {
  path: string;
  vault: string;
  hourStart: number;
  text: string;
  records: AuditEvent[];
}

function readArchive(root: string): ArchiveFile[] {
  const files = (readdirSync(root, { recursive: true }) as string[])
    .map((p) => p.split("\\").join("/"))
    .filter((p) => p.endsWith(".json"))
    .sort();
  return files.map((path) => {
    const match = LAYOUT.exec(path);
    if (!match) throw new Error(`unexpected archive path ${path}`);
    const [, , , vault, y, m, d, h] = match;
    const text = readFileSync(join(root, path), "utf8");
    expect(text.endsWith("\n")).toBe(true);
    const records = text
      .split("\n")
      .filter(Boolean)
      .map((line) => parseAuditEvent(JSON.parse(line)));
    return { path, vault: vault!, hourStart: Date.UTC(+y!, +m! - 1, +d!, +h!), text, records };
  });
}

describe("audit archive of SDK traffic", () => {
  const auditDir = mkdtempSync(join(tmpdir(), "kvguard-audit-"));
  const log: Exchange[] = [];
  const values = {
    alpha: `alpha-${randomUUID()}`,
    disabled: `disabled-${randomUUID()}`,
    gone: `gone-${randomUUID()}`,
    goneAgain: `gone-again-${randomUUID()}`,
    malformed: `malformed-${randomUUID()}`,
    beta: `beta-${randomUUID()}`,
  };
  const tokens: string[] = [];
  let tv: TestVault;
  let files: ArchiveFile[];
  let ids: { alpha: string; disabled: string; beta: string };
  let advancedFromMs: number;
  let rawRequestId: string;

  function capture(vault: string): PipelinePolicy {
    return {
      name: "auditTestCapture",
      async sendRequest(request, next) {
        const response = await next(request);
        const auth = request.headers.get("authorization");
        let bodyId: string | undefined;
        try {
          bodyId = (JSON.parse(response.bodyAsText ?? "") as { id?: string }).id;
        } catch {
          bodyId = undefined;
        }
        if (auth) tokens.push(auth.replace(/^Bearer /, ""));
        log.push({
          vault,
          method: request.method,
          url: request.url,
          status: response.status,
          requestId: request.headers.get("x-ms-client-request-id"),
          userAgent: request.headers.get("user-agent"),
          claims: auth ? devClaims(whoseToken(auth)) : undefined,
          bodyId,
        });
        return response;
      },
    };
  }

  // Each client's credential is known, so its token says who it is.
  const byToken = new Map<string, DevIdentity>();
  function whoseToken(auth: string): DevIdentity {
    const payload = JSON.parse(Buffer.from(auth.split(".")[1]!, "base64url").toString("utf8")) as { name: string };
    const identity = byToken.get(payload.name);
    if (!identity) throw new Error(`unknown caller ${payload.name}`);
    return identity;
  }

  function secretClient(identity: DevIdentity, vault: string): SecretClient {
    byToken.set(identity.name, identity);
    const credential = new DevTokenCredential(identity);
    const options = clientOptions({ vaultUrl: tv.kv.urls[vault]!, credential, ca: tv.kv.tls.caPem, retryOptions: { maxRetries: 0 } });
    return new SecretClient(tv.kv.urls[vault]!, credential, {
      ...options,
      additionalPolicies: [{ policy: capture(vault), position: "perRetry" }],
    });
  }

  async function fails(promise: Promise<unknown>): Promise<void> {
    await expect(promise).rejects.toThrow();
  }

  async function admin(path: string, body: unknown): Promise<void> {
    const res = await httpsRequest(`${tv.url}/management${path}`, {
      method: path.endsWith("roleAssignments") ? "PUT" : "POST",
      ca: tv.kv.tls.caPem,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status, res.text).toBe(200);
  }

  beforeAll(async () => {
    tv = await startTestVault({ auditDir, vaults: [VAULT_A, VAULT_B] });
    try {
      const app = secretClient(APP, VAULT_A);
      const alpha = await app.setSecret("alpha", values.alpha);
      await app.getSecret("alpha");
      const disabled = await app.setSecret("disabled", values.disabled, { enabled: false });
      await fails(app.getSecret("disabled")); // 403 on a disabled secret
      await fails(app.getSecret("missing")); // 404
      await app.setSecret("gone", values.gone);
      await (await app.beginDeleteSecret("gone", { intervalInMs: 10 })).pollUntilDone();
      await fails(app.setSecret("gone", values.goneAgain)); // 409: deleted but recoverable
      for await (const _ of app.listPropertiesOfSecrets()) void _;

      // A malformed body (400) and a token-less request (401), sent by hand.
      const token = (await new DevTokenCredential(APP).getToken("https://vault.azure.net/.default")).token;
      rawRequestId = randomUUID();
      const badUrl = `${tv.url}/secrets/bad/${API}`;
      const bad = await httpsRequest(badUrl, {
        method: "PUT",
        ca: tv.kv.tls.caPem,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "x-ms-client-request-id": rawRequestId, "User-Agent": "audit-test/1" },
        body: `{"value": "${values.malformed}"`,
      });
      log.push({
        vault: VAULT_A,
        method: "PUT",
        url: badUrl,
        status: bad.status,
        requestId: rawRequestId,
        userAgent: "audit-test/1",
        claims: devClaims(APP),
        bodyId: undefined,
      });
      const anonUrl = `${tv.url}/secrets${API}`;
      const anon = await httpsRequest(anonUrl, { ca: tv.kv.tls.caPem, headers: { "User-Agent": "audit-test/1" } });
      log.push({
        vault: VAULT_A,
        method: "GET",
        url: anonUrl,
        status: anon.status,
        requestId: undefined,
        userAgent: "audit-test/1",
        claims: undefined,
        bodyId: undefined,
      });
      // Even a path Key Vault does not serve is challenged, and logged as Authentication.
      const nowhereUrl = `${tv.url}/nowhere${API}`;
      const nowhere = await httpsRequest(nowhereUrl, { ca: tv.kv.tls.caPem, headers: { "User-Agent": "audit-test/1" } });
      log.push({
        vault: VAULT_A,
        method: "GET",
        url: nowhereUrl,
        status: nowhere.status,
        requestId: undefined,
        userAgent: "audit-test/1",
        claims: undefined,
        bodyId: undefined,
      });

      // RBAC on: the app may use secrets, the outsider may not (ForbiddenByRbac).
      await admin(`/vaults/${VAULT_A}/roleAssignments`, [{ principalId: devClaims(APP).oid, role: "Key Vault Secrets Officer" }]);
      await fails(secretClient(OUTSIDER, VAULT_A).getSecret("alpha"));
      await app.getSecret("alpha");

      const beta = await secretClient(APP, VAULT_B).setSecret("beta", values.beta);

      // Two hours later (emulator time), records go to a later hour's file.
      advancedFromMs = Date.now();
      await admin("/clock/advance", { seconds: 7200 });
      await app.getSecret("alpha", { version: alpha.properties.version! });
      ids = { alpha: alpha.properties.id!, disabled: disabled.properties.id!, beta: beta.properties.id! };
    } finally {
      await tv.kv.close(); // flushes the archive
    }
    files = readArchive(auditDir);
  });

  it("writes one schema-valid record per request, matching it field by field", () => {
    const vaults = { [VAULT_A]: tv.kv.vaults.get(VAULT_A)!, [VAULT_B]: tv.kv.vaults.get(VAULT_B)! };
    for (const [name, vault] of Object.entries(vaults)) {
      const records = files
        .filter((f) => f.vault === name.toUpperCase())
        .flatMap((f) => f.records)
        .filter((r) => !r.operationName.endsWith("EventGridNotification"));
      const exchanges = log.filter((e) => e.vault === name);
      expect(records.map((r) => `${r.operationName} ${r.properties.httpStatusCode}`)).toEqual(exchanges.map((e) => `${expectedOperation(e)} ${e.status}`));
      for (const [i, e] of exchanges.entries()) {
        const r = records[i]!;
        const where = `${name} #${i} ${e.method} ${e.url}`;
        expect(r.resourceId, where).toBe(vault.resourceId.toUpperCase());
        expect(r.category).toBe("AuditEvent");
        expect(r.resultType, where).toBe("Success"); // even for 4xx, as Azure writes it
        expect(r.resultSignature, where).toBe(SIGNATURES[e.status]);
        expect(r.properties.requestUri, where).toBe(e.url);
        expect(r.operationVersion, where).toBe(new URL(e.url).searchParams.get("api-version"));
        expect(r.callerIpAddress, where).toBe("127.0.0.1");
        expect(r.durationMs, where).toMatch(/^\d+$/);
        expect(r.properties.tlsVersion, where).toMatch(/^TLS1_[23]$/);
        expect(r.properties.clientInfo, where).toBe(e.userAgent);
        if (e.requestId) {
          expect(r.correlationId, where).toBe(e.requestId);
          expect(r.correlationId).toMatch(GUID);
          expect(r.correlationId).not.toBe(ZERO_GUID);
        } else {
          expect(r.correlationId, where).toBe(ZERO_GUID);
        }
        if (e.claims) {
          expect(r.identity.claim?.oid, where).toBe(e.claims.oid);
          expect(r.identity.claim?.appid, where).toBe(e.claims.appid);
          expect(r.identity.claim?.upn, where).toBe(e.claims.upn);
        } else {
          expect(r.identity, where).toEqual({});
        }
        if (e.status >= 400) expect(r.resultDescription, where).toBeTruthy();
        const operation = expectedOperation(e);
        if ((operation === "SecretSet" || operation === "SecretGet") && e.status === 200) {
          expect(r.properties.id, where).toBe(e.bodyId);
          expect(r.properties.id).toMatch(/\/secrets\/[a-z0-9-]+\/[0-9a-f]{32}$/);
        }
        if (e.status === 404 || operation === "SecretList" || operation === "Authentication") {
          expect(r.properties.id, where).toBeUndefined();
        }
      }
    }
  });

  it("logs the objects by id with version, including a refused read of a disabled secret", () => {
    const a = files.filter((f) => f.vault === VAULT_A.toUpperCase()).flatMap((f) => f.records);
    const disabledGet = a.find((r) => r.operationName === "SecretGet" && r.properties.httpStatusCode === 403 && !r.properties.isRbacAuthorized);
    expect(disabledGet?.properties.id).toBe(ids.disabled);
    expect(disabledGet?.resultDescription).toMatch(/disabled/);
    expect(a.filter((r) => r.properties.id === ids.alpha).map((r) => r.operationName)).toEqual(["SecretSet", "SecretGet", "SecretGet", "SecretGet"]);
    const b = files.filter((f) => f.vault === VAULT_B.toUpperCase()).flatMap((f) => f.records);
    expect(b.find((r) => r.operationName === "SecretSet")?.properties.id).toBe(ids.beta);
  });

  it("logs the challenge, the malformed body and RBAC decisions", () => {
    const a = files.filter((f) => f.vault === VAULT_A.toUpperCase()).flatMap((f) => f.records);
    // Every SDK client starts with a token-less request: 401 Authentication, no identity.
    const challenges = a.filter((r) => r.operationName === "Authentication");
    expect(challenges.map((r) => r.properties.httpStatusCode)).toEqual([401, 401, 401, 401]);
    const malformed = a.find((r) => r.correlationId === rawRequestId)!;
    expect(malformed).toMatchObject({ operationName: "SecretSet", resultSignature: "BadRequest", properties: { httpStatusCode: 400 } });
    expect(malformed.resultDescription).toMatch(/not valid JSON/);

    const notification = a.find((r) => r.operationName === "VaultAccessPolicyChangedEventGridNotification");
    expect(notification).toBeDefined();
    const afterRbac = a.slice(a.indexOf(notification!) + 1).filter((r) => r.operationName !== "Authentication");
    expect(afterRbac.map((r) => [r.identity.claim?.oid, r.properties.httpStatusCode, r.properties.isRbacAuthorized])).toEqual([
      [devClaims(OUTSIDER).oid, 403, false],
      [devClaims(APP).oid, 200, true],
      [devClaims(APP).oid, 200, true],
    ]);
    expect(afterRbac[0]!.resultDescription).toMatch(/Caller is not authorized[\s\S]*DeniedWithNoValidRBAC/);
    // Before any role assignment the vault is open and records carry no RBAC verdict.
    expect(a.slice(0, a.indexOf(notification!)).every((r) => r.properties.isRbacAuthorized === undefined)).toBe(true);
  });

  it("never writes a secret value or a token", () => {
    const text = files.map((f) => f.text).join("");
    expect(text.length).toBeGreaterThan(0);
    for (const value of Object.values(values)) expect(text).not.toContain(value);
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of new Set(tokens)) expect(text).not.toContain(token.split(".")[1]!);
  });

  it("uses the storage-archive layout, one resourceId folder per vault, each record in its own hour", () => {
    expect(new Set(files.map((f) => f.vault))).toEqual(new Set([VAULT_A.toUpperCase(), VAULT_B.toUpperCase()]));
    for (const file of files) {
      const resourceIds = new Set(file.records.map((r) => r.resourceId));
      expect(resourceIds).toEqual(new Set([file.path.slice("resourceId=".length, file.path.indexOf("/y="))]));
      for (const r of file.records) {
        const t = Date.parse(r.time);
        expect(t >= file.hourStart && t < file.hourStart + 3_600_000, `${r.time} in ${file.path}`).toBe(true);
      }
    }
  });

  it("follows the emulator clock: after advancing two hours, records land in a later hour's PT1H.json", () => {
    const a = files.filter((f) => f.vault === VAULT_A.toUpperCase());
    const last = a.flatMap((f) => f.records.map((r) => ({ r, f }))).at(-1)!;
    expect(last.r.operationName).toBe("SecretGet");
    expect(Date.parse(last.r.time)).toBeGreaterThanOrEqual(advancedFromMs + 7_200_000);
    const before = a.filter((f) => f.records.some((r) => Date.parse(r.time) < advancedFromMs));
    expect(before.length).toBeGreaterThan(0);
    for (const f of before) expect(last.f.hourStart).toBeGreaterThanOrEqual(f.hourStart + 2 * 3_600_000);
  });
});
