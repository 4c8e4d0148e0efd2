/**
 * The local Entra ID of the local cloud: Graph's application endpoints through the real Graph SDK client
 * (kvguard's EntraGraph, which wraps it), the token endpoint through the real `ClientSecretCredential`, raw
 * HTTPS for Graph's and Entra's exact error bodies, the admin API, and the state file (no secret text in it).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEntraAdmin, type AdminApplication } from "../../emulator/cloud/entra/adminClient.js";
import { EntraDirectory, LOCAL_ENTRA_TENANT } from "../../emulator/cloud/entra/index.js";
import { startLocalCloud, type LocalCloud } from "../../emulator/cloud/index.js";
import { DevTokenCredential, devClaims } from "../../src/azure/devCredential.js";
import { EntraGraph, GraphCallError } from "../../src/rotators/entra-app-secret/graphClient.js";
import { httpsRequest } from "../helpers/https.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { DAY_MS } from "../../src/common/duration.js";

let tv: TestVault;
let cloud: LocalCloud;
let admin: LocalEntraAdmin;
let app: AdminApplication;
const OWNER = { name: "entra-owner" };
const READER = { name: "entra-reader" };
const STRANGER = { name: "entra-stranger" };
const ALL = { name: "entra-admin-app" };
const oid = (identity: { name: string }) => devClaims(identity).oid!;

function graphAs(identity: { name: string }): EntraGraph {
  return new EntraGraph({ endpoint: cloud.url, credential: new DevTokenCredential(identity), ca: tv.kv.tls.caPem });
}

function secretCredential(appId: string, secret: string, tenant = LOCAL_ENTRA_TENANT): ClientSecretCredential {
  return new ClientSecretCredential(tenant, appId, secret, { authorityHost: cloud.url, disableInstanceDiscovery: true, tlsOptions: { ca: tv.kv.tls.caPem } });
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

async function graphFailure(call: Promise<unknown>): Promise<GraphCallError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphCallError);
  return error as GraphCallError;
}

beforeAll(async () => {
  tv = await startTestVault();
  cloud = await startLocalCloud({ kv: tv.kv });
  admin = new LocalEntraAdmin(cloud.url, tv.kv.tls.caPem);
  app = await admin.createApplication({ displayName: "orders-api", owners: [oid(OWNER)] });
  await admin.setPermissions(oid(OWNER), ["Application.ReadWrite.OwnedBy"]);
  await admin.setPermissions(oid(READER), ["Application.Read.All"]);
  await admin.setPermissions(oid(ALL), ["Application.ReadWrite.All"]);
});
afterAll(async () => {
  await cloud.close();
  await tv.kv.close();
});

describe("Graph application endpoints, through the Graph SDK", () => {
  it("reads an application by object id and by appId, without secret text", async () => {
    const seeded = await admin.addPassword(app.id, { displayName: "by hand" });
    const graph = graphAs(OWNER);
    const byId = await graph.application(EntraGraph.path({ objectId: app.id }));
    const byAppId = await graph.application(EntraGraph.path({ appId: app.appId }));
    expect(byId).toMatchObject({ id: app.id, appId: app.appId, displayName: "orders-api", signInAudience: "AzureADMyOrg" });
    expect(byAppId.id).toBe(app.id);
    expect(byId.passwordCredentials).toEqual([
      {
        customKeyIdentifier: null,
        displayName: "by hand",
        endDateTime: seeded.endDateTime,
        hint: seeded.secretText.slice(0, 3),
        keyId: seeded.keyId,
        secretText: null,
        startDateTime: seeded.startDateTime,
      },
    ]);
  });

  it("addPassword returns the secret text once, with keyId, hint and dates (default end: start + 2 years)", async () => {
    const graph = graphAs(OWNER);
    const end = new Date(Date.now() + 30 * DAY_MS).toISOString();
    const added = await graph.addPassword(EntraGraph.path({ appId: app.appId }), { displayName: "kvguard test", endDateTime: end });
    expect(added.secretText).toMatch(/^[A-Za-z0-9_.~-]{3}[0-9]Q~[A-Za-z0-9_.~-]{34}$/);
    expect(added).toMatchObject({ displayName: "kvguard test", hint: added.secretText.slice(0, 3), endDateTime: end });
    expect(added.keyId).toMatch(/^[0-9a-f-]{36}$/);
    const defaulted = await admin.addPassword(app.id);
    expect(Date.parse(defaulted.endDateTime) - Date.parse(defaulted.startDateTime)).toBe(2 * 365 * DAY_MS);
    const read = await graph.application(EntraGraph.path({ objectId: app.id }));
    expect(read.passwordCredentials.map((p) => p.keyId)).toContain(added.keyId);
    expect(JSON.stringify(read)).not.toContain(added.secretText);
    await graph.removePassword(EntraGraph.path({ objectId: app.id }), added.keyId);
    await graph.removePassword(EntraGraph.path({ objectId: app.id }), defaulted.keyId);
    const after = await graph.application(EntraGraph.path({ objectId: app.id }));
    expect(after.passwordCredentials.map((p) => p.keyId)).not.toContain(added.keyId);
  });

  it("denies callers without the permission, with Graph's 403 Authorization_RequestDenied", async () => {
    const path = EntraGraph.path({ objectId: app.id });
    const none = await graphFailure(graphAs(STRANGER).application(path));
    expect(none).toMatchObject({ status: 403, code: "Authorization_RequestDenied" });
    expect(none.message).toMatch(/Application\.ReadWrite\.OwnedBy.*Application\.ReadWrite\.All/);
    // Read.All reads but cannot write; OwnedBy writes only apps it owns; .All writes any.
    await expect(graphAs(READER).application(path)).resolves.toMatchObject({ id: app.id });
    expect(await graphFailure(graphAs(READER).addPassword(path, { displayName: "x", endDateTime: new Date(Date.now() + DAY_MS).toISOString() }))).toMatchObject(
      { status: 403 },
    );
    const other = await admin.createApplication({ displayName: "not-owned" });
    expect(await graphFailure(graphAs(OWNER).application(EntraGraph.path({ objectId: other.id })))).toMatchObject({ status: 403 });
    const added = await graphAs(ALL).addPassword(EntraGraph.path({ objectId: other.id }), {
      displayName: "x",
      endDateTime: new Date(Date.now() + DAY_MS).toISOString(),
    });
    expect(added.secretText).toBeTruthy();
  });

  it("answers Graph's exact error bodies: 404 Request_ResourceNotFound, 400 for a policy's lifetime and for a third secret", async () => {
    const token = (await new DevTokenCredential(ALL).getToken("https://graph.microsoft.com/.default")).token;
    const post = (path: string, body: unknown) =>
      httpsRequest(`${cloud.url}/v1.0${path}`, {
        method: "POST",
        ca: tv.kv.tls.caPem,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const missing = "11111111-2222-4333-8444-555555555555";
    const notFound = await httpsRequest(`${cloud.url}/v1.0/applications/${missing}`, { ca: tv.kv.tls.caPem, headers: { Authorization: `Bearer ${token}` } });
    expect(notFound.status).toBe(404);
    expect(notFound.json()).toMatchObject({
      error: {
        code: "Request_ResourceNotFound",
        message: `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
        innerError: { "request-id": expect.any(String) as unknown },
      },
    });

    const capped = await admin.createApplication({ displayName: "capped", maxPasswordLifetimeDays: 90 });
    const tooLong = await post(`/applications/${capped.id}/addPassword`, {
      passwordCredential: { displayName: "x", endDateTime: new Date(Date.now() + 180 * DAY_MS).toISOString() },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json()).toMatchObject({
      error: { code: "CredentialInvalidLifetimeAsPerAppPolicy", details: [{ code: "InvalidKeyEndDate", target: "EndDate" }] },
    });
    const ok = await post(`/applications/${capped.id}/addPassword`, {
      passwordCredential: { endDateTime: new Date(Date.now() + 60 * DAY_MS).toISOString() },
    });
    expect(ok.status).toBe(200);

    const personal = await admin.createApplication({ displayName: "consumer", signInAudience: "AzureADandPersonalMicrosoftAccount" });
    expect(personal.maxPasswords).toBe(2);
    for (let i = 0; i < 2; i++) expect((await post(`/applications(appId='${personal.appId}')/addPassword`, { passwordCredential: {} })).status).toBe(200);
    const third = await post(`/applications(appId='${personal.appId}')/addPassword`, { passwordCredential: {} });
    expect(third.status).toBe(400);
    expect(third.json()).toMatchObject({
      error: {
        code: "TooManyAppPasswords",
        message: "Not allowed to add 3 passwords. You can only add a maximum of 2 passwords.",
        details: [{ target: "passwordCredentials", code: "TooManyAppPasswords" }],
      },
    });
    // Through the SDK: the same refusal as a GraphCallError with Graph's code.
    const viaSdk = await graphFailure(
      graphAs(ALL).addPassword(EntraGraph.path({ objectId: personal.id }), { displayName: "x", endDateTime: new Date(Date.now() + DAY_MS).toISOString() }),
    );
    expect(viaSdk).toMatchObject({ status: 400, code: "TooManyAppPasswords" });
  });
});

describe("the token endpoint, through ClientSecretCredential", () => {
  it("issues a token for the app with a current secret, refuses it once removed (AADSTS7000215)", async () => {
    const graph = graphAs(OWNER);
    const added = await graph.addPassword(EntraGraph.path({ objectId: app.id }), {
      displayName: "token test",
      endDateTime: new Date(Date.now() + DAY_MS).toISOString(),
    });
    const token = await secretCredential(app.appId, added.secretText).getToken("https://graph.microsoft.com/.default");
    expect(claimsOf(token.token)).toMatchObject({
      appid: app.appId,
      aud: "https://graph.microsoft.com",
      tid: LOCAL_ENTRA_TENANT,
      idtyp: "app",
      oid: app.servicePrincipalId,
    });
    await expect(secretCredential(app.appId, `${added.secretText}x`).getToken("https://graph.microsoft.com/.default")).rejects.toThrow(/AADSTS7000215/);
    await graph.removePassword(EntraGraph.path({ objectId: app.id }), added.keyId);
    await expect(secretCredential(app.appId, added.secretText).getToken("https://graph.microsoft.com/.default")).rejects.toThrow(/AADSTS7000215/);
  });

  it("refuses an expired secret (AADSTS7000222), an unknown app (AADSTS700016) and an unknown tenant (AADSTS90002 at discovery)", async () => {
    const expired = await admin.addPassword(app.id, {
      startDateTime: new Date(Date.now() - 10 * DAY_MS).toISOString(),
      endDateTime: new Date(Date.now() - DAY_MS).toISOString(),
    });
    await expect(secretCredential(app.appId, expired.secretText).getToken("https://graph.microsoft.com/.default")).rejects.toThrow(/AADSTS7000222/);
    await expect(secretCredential("99999999-9999-4999-8999-999999999999", expired.secretText).getToken("https://graph.microsoft.com/.default")).rejects.toThrow(
      /AADSTS700016/,
    );
    // An unknown tenant fails at discovery already, as against Entra: MSAL cannot resolve its endpoints.
    const tenant = "12345678-1234-4234-8234-123456789012";
    await expect(secretCredential(app.appId, expired.secretText, tenant).getToken("https://graph.microsoft.com/.default")).rejects.toThrow(
      /endpoints_resolution_error/,
    );
    const discovery = await httpsRequest(`${cloud.url}/${tenant}/v2.0/.well-known/openid-configuration`, { ca: tv.kv.tls.caPem });
    expect(discovery.status).toBe(400);
    expect(discovery.json()).toMatchObject({ error: "invalid_request", error_codes: [90002] });
  });

  it("answers a wrong secret in Entra's error shape, and serves the OpenID configuration MSAL reads", async () => {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: app.appId,
      client_secret: "not-the-secret",
      scope: "https://graph.microsoft.com/.default",
    });
    const refused = await httpsRequest(`${cloud.url}/${LOCAL_ENTRA_TENANT}/oauth2/v2.0/token`, {
      method: "POST",
      ca: tv.kv.tls.caPem,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect(refused.status).toBe(401);
    expect(refused.json()).toMatchObject({
      error: "invalid_client",
      error_description: expect.stringMatching(/^AADSTS7000215: Invalid client secret provided\./) as unknown,
      error_codes: [7000215],
      trace_id: expect.any(String) as unknown,
      correlation_id: expect.any(String) as unknown,
    });
    const config = await httpsRequest(`${cloud.url}/${LOCAL_ENTRA_TENANT}/v2.0/.well-known/openid-configuration`, { ca: tv.kv.tls.caPem });
    expect(config.json()).toMatchObject({
      token_endpoint: `${cloud.url}/${LOCAL_ENTRA_TENANT}/oauth2/v2.0/token`,
      issuer: `${cloud.url}/${LOCAL_ENTRA_TENANT}/v2.0`,
    });
  });

  it("refuses a new secret until the app's propagation delay has passed", async () => {
    // The delay counts from the secret's start: on an app that takes an hour, a secret started ten minutes ago
    // is refused and one started two hours ago works (no wait on the wall clock).
    const slow = await admin.createApplication({ displayName: "slow", propagationSeconds: 3600 });
    const recent = await admin.addPassword(slow.id, { startDateTime: new Date(Date.now() - 600_000).toISOString() });
    await expect(secretCredential(slow.appId, recent.secretText).getToken("https://graph.microsoft.com/.default")).rejects.toThrow(/AADSTS7000215/);
    const settled = await admin.addPassword(slow.id, { startDateTime: new Date(Date.now() - 7_200_000).toISOString() });
    await expect(secretCredential(slow.appId, settled.secretText).getToken("https://graph.microsoft.com/.default")).resolves.toMatchObject({
      token: expect.any(String) as unknown,
    });
  });
});

describe("state", () => {
  it("persists applications and permissions in entra.json, with hashes but never a secret's text", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kvguard-entra-"));
    try {
      const first = new EntraDirectory(dir);
      const made = first.createApplication({ displayName: "persisted", owners: ["o1"] });
      const added = first.addPassword(made, { displayName: "p" });
      first.setPermissions("o1", ["Application.ReadWrite.OwnedBy"]);
      const file = await readFile(join(dir, "entra.json"), "utf8");
      expect(file).not.toContain(added.secretText);
      const second = new EntraDirectory(dir);
      const again = second.find(made.appId)!;
      expect(again.passwordCredentials.map((p) => p.keyId)).toEqual([added.keyId]);
      expect(second.passwordFor(again, added.secretText)?.keyId).toBe(added.keyId);
      expect(second.passwordFor(again, "wrong")).toBeUndefined();
      expect(second.permissionsOf("o1")).toEqual(["Application.ReadWrite.OwnedBy"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
