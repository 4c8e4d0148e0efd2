/**
 * The local cloud's App Service provider through the real `@azure/arm-appservice` 19 client: sites created
 * with ARM PUT, app settings holding Key Vault references resolved from the local Key Vault as the site's
 * managed identity (RBAC applies, reads are audited under the site's identity), a cache that only the
 * reference refresh (sent through the SDK's own pipeline: the SDK has no method for it), a configuration
 * change or its expiry on the vault's clock clears, App Service's statuses for broken references, ARM's
 * errors and management access, and the site and its cache kept across a restart.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSiteManagementClient } from "@azure/arm-appservice";
import { createWebSiteManagement } from "@azure/arm-appservice/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalCloud } from "../../emulator/cloud/index.js";
import { LOCAL_RESOURCE_GROUP as RG, LOCAL_SUBSCRIPTION_ID as SUB, LocalKeyVault } from "../../emulator/index.js";
import { DevTokenCredential, devClaims } from "../../src/azure/devCredential.js";
import { httpsRequest } from "../helpers/https.js";
import { startTestCloud, type TestCloud } from "../helpers/localCloud.js";

const HOUR = 3600;
const operator = { name: "web-operator" };

interface EnvEntry {
  name: string;
  source: string;
  value?: string;
  sha256: string;
  status?: string;
  version?: string;
}

let t: TestCloud;
let arm: WebSiteManagementClient;

/** What the site's app reads, as the local site shows it (values revealed: this is a test). */
async function env(site: string): Promise<Record<string, EnvEntry>> {
  const res = await t.admin("GET", `/management/web/sites/${site}/env?reveal=true`);
  expect(res.status).toBe(200);
  const entries = (res.json() as { settings: EnvEntry[] }).settings;
  return Object.fromEntries(entries.map((e) => [e.name, e]));
}

/** The Key Vault reference refresh, through the SDK's pipeline (auth, retries) since the SDK has no method for it. */
async function refresh(site: string, identity = operator): Promise<{ status: string; body: unknown }> {
  const context = createWebSiteManagement(new DevTokenCredential(identity), SUB, { ...t.armOptions(), retryOptions: { maxRetries: 2, retryDelayInMs: 10 } });
  const res = await context
    .pathUnchecked(
      "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/{name}/config/configreferences/appsettings/refresh",
      SUB,
      RG,
      site,
    )
    .post({ queryParameters: { "api-version": "2024-11-01" } });
  return { status: res.status, body: res.body };
}

function secretRef(name: string, version?: string): string {
  return `@Microsoft.KeyVault(SecretUri=${t.tv.url}/secrets/${name}/${version ?? ""})`;
}

async function createSite(name: string, appSettings: { name: string; value: string }[], extra: Record<string, unknown> = {}) {
  return arm.webApps.createOrUpdate(RG, name, { location: "local", kind: "app", identity: { type: "SystemAssigned" }, siteConfig: { appSettings }, ...extra });
}

function auditRecords(kv: LocalKeyVault): { operationName: string; identity: { claim?: Record<string, string> }; properties: { id?: string } }[] {
  const files = readdirSync(kv.audit.rootDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return files.flatMap((f) =>
    readFileSync(join(f.parentPath, f.name), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ReturnType<typeof auditRecords>[number]),
  );
}

beforeAll(async () => {
  t = await startTestCloud({ vaults: ["web-vault", "other-vault"] });
  arm = new WebSiteManagementClient(new DevTokenCredential(operator), SUB, t.armOptions());
});
afterAll(() => t.stop());

describe("App Service sites through @azure/arm-appservice", () => {
  it("creates a site whose app reads a referenced secret, as its own identity, and lists its settings unresolved", async () => {
    const secrets = t.tv.clients().secrets;
    const v1 = await secrets.setSecret("db-password", "first-value");
    const site = await createSite("billing-api", [
      { name: "DB_PASSWORD", value: secretRef("db-password") },
      { name: "API_KEY", value: "@Microsoft.KeyVault(VaultName=web-vault;SecretName=api-key)" },
      { name: "MODE", value: "production" },
    ]);
    expect(site).toMatchObject({ name: "billing-api", type: "Microsoft.Web/sites", kind: "app", keyVaultReferenceIdentity: "SystemAssigned" });
    expect(site.identity?.principalId).toMatch(/^[0-9a-f-]{36}$/);

    const settings = await arm.webApps.listApplicationSettings(RG, "billing-api");
    expect(settings.properties).toEqual({
      DB_PASSWORD: secretRef("db-password"),
      API_KEY: "@Microsoft.KeyVault(VaultName=web-vault;SecretName=api-key)",
      MODE: "production",
    });

    const seen = await env("billing-api");
    expect(seen.DB_PASSWORD).toMatchObject({ source: "KeyVault", status: "Resolved", value: "first-value", version: v1.properties.version });
    expect(seen.MODE).toMatchObject({ source: "AppSetting", value: "production" });
    // No such secret yet: the app reads the reference text, as App Service documents.
    expect(seen.API_KEY).toMatchObject({ status: "SecretNotFound", value: "@Microsoft.KeyVault(VaultName=web-vault;SecretName=api-key)" });

    await t.tv.kv.audit.close();
    const reads = auditRecords(t.tv.kv).filter((r) => r.operationName === "SecretGet" && r.identity.claim?.oid === site.identity!.principalId);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads[0]!.identity.claim).toMatchObject({ idtyp: "app", xms_mirid: site.id });
    expect(reads.some((r) => r.properties.id === v1.properties.id)).toBe(true);
  });

  it("keeps serving the cached value after a rotation until the Key Vault reference refresh, then the new one at once", async () => {
    const secrets = t.tv.clients().secrets;
    const before = await env("billing-api");
    const v2 = await secrets.setSecret("db-password", "second-value");
    expect((await env("billing-api")).DB_PASSWORD).toMatchObject({ value: "first-value", version: before.DB_PASSWORD!.version });
    const status = await arm.webApps.getAppSettingKeyVaultReference(RG, "billing-api", "DB_PASSWORD");
    expect(status).toMatchObject({ status: "Resolved", source: "KeyVault", secretName: "db-password", activeVersion: before.DB_PASSWORD!.version });

    const refreshed = await refresh("billing-api");
    expect(refreshed.status).toBe("200");
    expect((await env("billing-api")).DB_PASSWORD).toMatchObject({ status: "Resolved", value: "second-value", version: v2.properties.version });
    expect((await arm.webApps.getAppSettingKeyVaultReference(RG, "billing-api", "DB_PASSWORD")).activeVersion).toBe(v2.properties.version);
  });

  it("lists every reference's status, with the statuses App Service gives broken ones, and never a value", async () => {
    await createSite("broken-refs", [
      { name: "BAD_SYNTAX", value: "@Microsoft.KeyVault(SecretName=only-a-name)" },
      { name: "NO_VAULT", value: "@Microsoft.KeyVault(VaultName=not-served;SecretName=x)" },
      { name: "NO_VERSION", value: secretRef("db-password", "0123456789abcdef0123456789abcdef") },
      { name: "PLAIN", value: "not a reference" },
    ]);
    const statuses: Record<string, string | undefined> = {};
    for await (const ref of arm.webApps.listAppSettingsKeyVaultReferences(RG, "broken-refs")) {
      statuses[ref.name!] = ref.status;
      expect(JSON.stringify(ref)).not.toContain("value");
    }
    expect(statuses).toEqual({ BAD_SYNTAX: "InvalidSyntax", NO_VAULT: "VaultNotFound", NO_VERSION: "SecretVersionNotFound" });
    await expect(arm.webApps.getAppSettingKeyVaultReference(RG, "broken-refs", "PLAIN")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("pins a versioned reference through rotations and refreshes", async () => {
    const secrets = t.tv.clients().secrets;
    const pinned = await secrets.setSecret("pinned", "pinned-one");
    await createSite("pinned-app", [{ name: "P", value: secretRef("pinned", pinned.properties.version) }]);
    await secrets.setSecret("pinned", "pinned-two");
    await refresh("pinned-app");
    expect((await env("pinned-app")).P).toMatchObject({ value: "pinned-one", version: pinned.properties.version });
  });

  it("resolves again when the app settings change (a configuration change restarts the app)", async () => {
    const secrets = t.tv.clients().secrets;
    await createSite("restarting", [{ name: "S", value: secretRef("restart-secret") }]);
    expect((await env("restarting")).S!.status).toBe("SecretNotFound");
    const v = await secrets.setSecret("restart-secret", "now-there");
    const updated = await arm.webApps.updateApplicationSettings(RG, "restarting", { properties: { S: secretRef("restart-secret"), EXTRA: "1" } });
    expect(updated.properties).toMatchObject({ EXTRA: "1" });
    expect((await env("restarting")).S).toMatchObject({ status: "Resolved", value: "now-there", version: v.properties.version });
  });

  it("fetches again when the cache expires on the vault's clock: 24 h by default, not a moment earlier", async () => {
    const secrets = t.tv.clients().secrets;
    await secrets.setSecret("expiring", "e1");
    await createSite("expiry-app", [{ name: "E", value: secretRef("expiring") }]);
    const e2 = await secrets.setSecret("expiring", "e2");
    expect((await t.vaultAdmin("POST", "/management/clock/advance", { seconds: 23 * HOUR })).status).toBe(200);
    expect((await env("expiry-app")).E!.value).toBe("e1");
    await t.vaultAdmin("POST", "/management/clock/advance", { seconds: HOUR });
    expect((await env("expiry-app")).E).toMatchObject({ value: "e2", version: e2.properties.version });
  });

  it("honours a site's configured cache lifetime", async () => {
    const secrets = t.tv.clients().secrets;
    await secrets.setSecret("short-lived", "s1");
    expect((await t.admin("POST", "/management/web/sites", { name: "short-cache", cacheHours: 1, appSettings: { S: secretRef("short-lived") } })).status).toBe(
      201,
    );
    await secrets.setSecret("short-lived", "s2");
    await t.vaultAdmin("POST", "/management/clock/advance", { seconds: HOUR });
    expect((await env("short-cache")).S!.value).toBe("s2");
  });

  it("reads as the site's identity: RBAC denies it until the site is granted Key Vault Secrets User, then a refresh resolves", async () => {
    const secrets = t.tv.clients({ name: "rbac-admin" }, "other-vault").secrets;
    const vault = t.tv.kv.vaults.get("other-vault")!;
    t.tv.kv.setRoleAssignments(vault, [{ principalId: devClaims({ name: "rbac-admin" }).oid!, role: "Key Vault Administrator" }]);
    await secrets.setSecret("guarded", "guarded-value");
    const site = await createSite("rbac-app", [{ name: "G", value: "@Microsoft.KeyVault(VaultName=other-vault;SecretName=guarded)" }]);
    expect((await arm.webApps.getAppSettingKeyVaultReference(RG, "rbac-app", "G")).status).toBe("AccessToKeyVaultDenied");
    expect((await env("rbac-app")).G!.value).toBe("@Microsoft.KeyVault(VaultName=other-vault;SecretName=guarded)");
    t.tv.kv.setRoleAssignments(vault, [...vault.roleAssignments, { principalId: site.identity!.principalId!, role: "Key Vault Secrets User" }]);
    await refresh("rbac-app");
    expect((await env("rbac-app")).G).toMatchObject({ status: "Resolved", value: "guarded-value" });
  });

  it("answers MSINotEnabled for a site without a managed identity, and reads as a user-assigned identity when told to", async () => {
    await createSite("no-identity", [{ name: "X", value: secretRef("db-password") }], { identity: { type: "None" } });
    expect((await arm.webApps.getAppSettingKeyVaultReference(RG, "no-identity", "X")).status).toBe("MSINotEnabled");

    const uaId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shared-id`;
    const site = await createSite("ua-app", [{ name: "X", value: secretRef("db-password") }], {
      identity: { type: "UserAssigned", userAssignedIdentities: { [uaId]: {} } },
      keyVaultReferenceIdentity: uaId,
    });
    const ua = site.identity!.userAssignedIdentities![uaId]!;
    expect((await env("ua-app")).X!.status).toBe("Resolved");
    await t.tv.kv.audit.close();
    expect(auditRecords(t.tv.kv).some((r) => r.identity.claim?.oid === ua.principalId && r.identity.claim?.xms_mirid === uaId)).toBe(true);
  });

  it("answers ARM's errors: unknown site, bad body, a reader who may not list settings or refresh", async () => {
    await expect(arm.webApps.get(RG, "no-such-site")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    await expect(arm.webApps.get("other-group", "billing-api")).rejects.toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
    const { token } = await new DevTokenCredential(operator).getToken("https://management.azure.com/.default");
    const noLocation = await httpsRequest(
      `${t.cloud.url}/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.Web/sites/bad-body?api-version=2024-11-01`,
      {
        method: "PUT",
        ca: t.ca,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ kind: "app" }),
      },
    );
    expect(noLocation.status).toBe(400);
    expect(noLocation.json()).toMatchObject({ error: { code: "BadRequest", message: expect.stringContaining("location") as unknown } });
    const readerOid = devClaims({ name: "web-reader" }).oid!;
    const operatorOid = devClaims(operator).oid!;
    const patched = await t.admin("PATCH", "/management/web/sites/billing-api", {
      managementAccess: [
        { principalId: readerOid, role: "Reader" },
        { principalId: operatorOid, role: "Contributor" },
      ],
    });
    expect(patched.status).toBe(200);
    const asReader = new WebSiteManagementClient(new DevTokenCredential({ name: "web-reader" }), SUB, t.armOptions());
    expect((await asReader.webApps.get(RG, "billing-api")).name).toBe("billing-api");
    await expect(asReader.webApps.listApplicationSettings(RG, "billing-api")).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
    expect((await refresh("billing-api", { name: "web-reader" })).status).toBe("403");
    expect((await refresh("billing-api")).status).toBe("200");
  });

  it("retries the refresh after an injected 429 with Retry-After, through the SDK's own retry policy", async () => {
    t.cloud.addFault({ status: 429, count: 1, match: "POST /subscriptions/", retryAfterSeconds: 0 });
    expect((await refresh("pinned-app")).status).toBe("200");
  });
});

describe("App Service sites across a restart", () => {
  it("keeps sites, settings and the cached value the app reads", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kvguard-web-state-"));
    const kv = await LocalKeyVault.start({ stateDir, vaults: ["persist"] });
    const cloud = await startLocalCloud({ kv });
    const secrets = (await import("@azure/keyvault-secrets")).SecretClient;
    const client = new secrets(kv.urls.persist!, new DevTokenCredential({ name: "p" }), {
      tlsOptions: { ca: kv.tls.caPem },
      disableChallengeResourceVerification: true,
    });
    await client.setSecret("kept", "k1");
    const ref = `@Microsoft.KeyVault(VaultName=persist;SecretName=kept)`;
    await cloud.providers.web.create({ name: "kept-app", appSettings: { K: ref } });
    await client.setSecret("kept", "k2");
    await cloud.close();
    await kv.close();

    const kv2 = await LocalKeyVault.start({ stateDir, vaults: ["persist"] });
    const cloud2 = await startLocalCloud({ kv: kv2 });
    try {
      const site = await cloud2.providers.web.settled(cloud2.providers.web.store.get("kept-app")!);
      expect(site.appSettings).toEqual({ K: ref });
      expect(site.references.K).toMatchObject({ status: "Resolved", value: "k1" });
    } finally {
      await cloud2.close();
      await kv2.close();
    }
  });
});
