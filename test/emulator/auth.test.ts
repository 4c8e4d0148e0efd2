import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevTokenCredential, devClaims } from "../../src/azure/devCredential.js";
import { httpsRequest } from "../helpers/https.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";

let tv: TestVault;
beforeAll(async () => {
  tv = await startTestVault({ vaults: ["auth-vault", "open-vault"] });
});
afterAll(() => tv.kv.close());

const API = "?api%2Dversion=2025-07-01";

async function bearer(name: string): Promise<string> {
  return `Bearer ${(await new DevTokenCredential({ name }).getToken("https://vault.azure.net/.default")).token}`;
}

describe("challenge", () => {
  it("answers a token-less request with Key Vault's 401, header and body", async () => {
    const res = await httpsRequest(`${tv.url}/secrets/anything/${API}`, { ca: tv.kv.tls.caPem });
    expect(res.status).toBe(401);
    expect(res.headers["www-authenticate"]).toBe(
      'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net"',
    );
    expect(res.json()).toEqual({
      error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token." },
    });
  });

  it("challenges even a path that does not exist", async () => {
    const res = await httpsRequest(`${tv.url}/nothing-here${API}`, { ca: tv.kv.tls.caPem });
    expect(res.status).toBe(401);
  });

  it("refuses a token that is not a JWT and a token for another audience", async () => {
    const notJwt = await httpsRequest(`${tv.url}/secrets${API}`, {
      ca: tv.kv.tls.caPem,
      headers: { Authorization: "Bearer not-a-token" },
    });
    expect(notJwt.status).toBe(401);
    expect((notJwt.json() as { error: { message: string } }).error.message).toMatch(/AKV10022/);
    const graph = await new DevTokenCredential({ name: "x" }).getToken("https://graph.microsoft.com/.default");
    const wrongAudience = await httpsRequest(`${tv.url}/secrets${API}`, {
      ca: tv.kv.tls.caPem,
      headers: { Authorization: `Bearer ${graph.token}` },
    });
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.text).toMatch(/Invalid audience/);
  });

  it("answers a malformed JSON body with 400 BadParameter", async () => {
    const res = await httpsRequest(`${tv.url}/secrets/x${API}`, {
      method: "PUT",
      ca: tv.kv.tls.caPem,
      headers: { Authorization: await bearer("raw"), "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: "BadParameter" } });
    const noValue = await httpsRequest(`${tv.url}/secrets/x${API}`, {
      method: "PUT",
      ca: tv.kv.tls.caPem,
      headers: { Authorization: await bearer("raw"), "Content-Type": "application/json" },
      body: JSON.stringify({ contentType: "text/plain" }),
    });
    expect(noValue.status).toBe(400);
    expect(noValue.text).toMatch(/value/);
  });
});

describe("role assignments", () => {
  async function assign(vault: string, roles: { principal: string; role: string }[]): Promise<void> {
    const res = await httpsRequest(`${tv.kv.urls[vault]}/management/vaults/${vault}/roleAssignments`, {
      method: "PUT",
      ca: tv.kv.tls.caPem,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(roles.map((r) => ({ principalId: devClaims({ name: r.principal }).oid, role: r.role }))),
    });
    expect(res.status).toBe(200);
  }

  it("lets each built-in role do what it grants and answers 403 ForbiddenByRbac otherwise", async () => {
    await assign("auth-vault", [
      { principal: "admin", role: "Key Vault Administrator" },
      { principal: "officer", role: "Key Vault Secrets Officer" },
      { principal: "consumer", role: "Key Vault Secrets User" },
      { principal: "auditor", role: "Key Vault Reader" },
      { principal: "crypto", role: "Key Vault Crypto User" },
    ]);
    const as = (name: string) => tv.clients({ name }, "auth-vault").secrets;

    await as("officer").setSecret("app-secret", "officer-wrote-this");
    await as("admin").setSecret("app-secret", "admin-wrote-this");
    expect((await as("consumer").getSecret("app-secret")).value).toBe("admin-wrote-this");

    const consumerSet = await as("consumer")
      .setSecret("app-secret", "nope")
      .catch((e: unknown) => e);
    expect(consumerSet).toMatchObject({ statusCode: 403, code: "Forbidden" });
    expect((consumerSet as Error).message).toContain("Microsoft.KeyVault/vaults/secrets/setSecret/action");
    expect((consumerSet as Error).message).toContain(`oid=${devClaims({ name: "consumer" }).oid}`);

    const names = [];
    for await (const p of as("auditor").listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toEqual(["app-secret"]);
    await expect(as("auditor").getSecret("app-secret")).rejects.toMatchObject({ statusCode: 403 });
    await expect(as("crypto").getSecret("app-secret")).rejects.toMatchObject({ statusCode: 403 });
    await expect(as("stranger").getSecret("app-secret")).rejects.toMatchObject({ statusCode: 403 });

    const raw = await httpsRequest(`${tv.kv.urls["auth-vault"]}/secrets/app-secret/${API}`, {
      ca: tv.kv.tls.caPem,
      headers: { Authorization: await bearer("stranger") },
    });
    expect(raw.json()).toMatchObject({ error: { code: "Forbidden", innererror: { code: "ForbiddenByRbac" } } });
  });

  it("keeps vaults apart: roles on one vault do not restrict the other", async () => {
    const open = tv.clients({ name: "stranger" }, "open-vault").secrets;
    await open.setSecret("free", "v");
    expect((await open.getSecret("free")).value).toBe("v");
    await expect(tv.clients({ name: "stranger" }, "auth-vault").secrets.getSecret("free")).rejects.toMatchObject({
      statusCode: 403,
    });
  });

  it("refuses an unknown role name with 400", async () => {
    const res = await httpsRequest(`${tv.kv.urls["auth-vault"]}/management/vaults/auth-vault/roleAssignments`, {
      method: "PUT",
      ca: tv.kv.tls.caPem,
      body: JSON.stringify([{ principalId: "x", role: "Owner" }]),
    });
    expect(res.status).toBe(400);
  });
});
