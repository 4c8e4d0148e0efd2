/**
 * Pushed refresh after a rotation, against the local stack (Key Vault, Azurite, the local cloud's App Service
 * sites whose Key Vault references are cached until refreshed): a site the operator declared (by id, or found
 * in a declared resource group by its references) serves the new value right after the rotation, refreshed
 * once per rotation, also when the run stops after finish or after the refresh; a site not declared, or named
 * only by a tag, is never refreshed; a refresh that fails is recorded and alerted and the rotation stands.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { siteId } from "../../emulator/cloud/web/index.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../emulator/index.js";
import { startLocalAlerts, type LocalAlerts } from "../../dev/alerts/localAlerts.js";
import type { RotationService } from "../../src/rotation/service.js";
import { adminCall } from "../helpers/localCloud.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, serviceFor, stoppingService } from "../helpers/rotation.js";

const GROUP = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}`;
let stack: LocalStack;
let service: RotationService;
let alerts: LocalAlerts;
let alertDir: string;
const capture = new Capture();
/** Key Vault reference refreshes each local site received, by site name. */
const refreshes = new Map<string, number>();

function admin(method: string, path: string, body?: unknown) {
  return adminCall(stack.cloud.url, stack.tv.kv.tls.caPem, method, path, body);
}

function reference(secret: string): string {
  return `@Microsoft.KeyVault(SecretUri=${stack.tv.url}/secrets/${secret}/)`;
}

async function createSite(name: string, secret: string, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await admin("POST", "/management/web/sites", { name, appSettings: { DB_PASSWORD: reference(secret), MODE: "test" }, ...extra });
  expect(res.status, res.text).toBe(201);
}

/** What the site's app reads for DB_PASSWORD now (the value: this is a test). */
async function served(site: string): Promise<string | undefined> {
  const res = await admin("GET", `/management/web/sites/${site}/env?reveal=true`);
  expect(res.status).toBe(200);
  return (res.json() as { settings: { name: string; value?: string }[] }).settings.find((s) => s.name === "DB_PASSWORD")?.value;
}

async function seed(name: string, tags: Record<string, string> = {}): Promise<string> {
  const value = `initial-${name}-value`;
  await kvguardSecrets(stack).setSecret(name, value, { tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P30D", ...tags } });
  capture.values.add(value);
  return value;
}

async function liveValue(name: string): Promise<string> {
  const value = (await kvguardSecrets(stack).getSecret(name)).value!;
  capture.values.add(value);
  return value;
}

async function refreshRows(name: string) {
  return (await service.history.list({ vault: "local", name })).filter((r) => r.step === "refresh");
}

const POLICY = {
  appService: [
    { match: { vault: "local", name: "billing-db" }, sites: [siteId("billing-api")] },
    { match: { name: "crash-after-finish" }, sites: [siteId("crash-after-finish")] },
    { match: { name: "crash-after-refresh" }, sites: [siteId("crash-after-refresh")] },
    { match: { name: "scanned-db" }, resourceGroups: [GROUP] },
    { match: { name: "locked-db" }, sites: [siteId("locked-app"), siteId("open-app")] },
  ],
};

beforeAll(async () => {
  alertDir = await mkdtemp(join(tmpdir(), "kvguard-refresh-alerts-"));
  alerts = await startLocalAlerts({ outDir: alertDir, print: (line) => capture.add("alert catcher", line) });
  stack = await startLocalStack({ settings: alerts.settings, policy: POLICY });
  const web = stack.cloud.providers.web;
  const refresh = web.refresh.bind(web);
  web.refresh = (site) => {
    refreshes.set(site.name, (refreshes.get(site.name) ?? 0) + 1);
    return refresh(site);
  };
  service = await serviceFor(stack, capture);
});
afterAll(async () => {
  await stack.stop();
  await alerts.close();
  await rm(alertDir, { recursive: true, force: true });
});

describe("App Service refresh after a rotation", () => {
  it("refreshes the declared site once, which serves the new value at once; an undeclared site keeps its cache", async () => {
    const initial = await seed("billing-db");
    await createSite("billing-api", "billing-db");
    await createSite("reporting-app", "billing-db");
    expect(await served("billing-api")).toBe(initial);

    const result = await service.rotateNow("local", "billing-db");
    expect(result.outcome).toBe("rotated");
    const rotated = await liveValue("billing-db");
    expect(rotated).not.toBe(initial);
    expect(await served("billing-api")).toBe(rotated);
    expect(refreshes.get("billing-api")).toBe(1);
    // Not declared: never refreshed, it serves its cache until that expires.
    expect(refreshes.get("reporting-app")).toBeUndefined();
    expect(await served("reporting-app")).toBe(initial);

    const rows = await refreshRows("billing-db");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "ok", rotationId: result.rotationId, version: result.version });
    expect(rows[0]!.message).toContain(siteId("billing-api"));

    // The next rotation refreshes it once more.
    await service.rotateNow("local", "billing-db");
    expect(await served("billing-api")).toBe(await liveValue("billing-db"));
    expect(refreshes.get("billing-api")).toBe(2);
  });

  it("ignores a hostile tag naming an app: only the policy file's appService declares sites", async () => {
    const initial = await seed("tagged-db", { "kvguard-refresh-sites": siteId("victim-app"), "kvguard-app-service": siteId("victim-app") });
    await createSite("victim-app", "tagged-db");
    expect((await service.rotateNow("local", "tagged-db")).outcome).toBe("rotated");
    expect(refreshes.get("victim-app")).toBeUndefined();
    expect(await served("victim-app")).toBe(initial);
    expect(await refreshRows("tagged-db")).toHaveLength(0);
  });

  it("finds the sites of a declared resource group whose app settings reference the secret, and only those", async () => {
    const initial = await seed("scanned-db");
    await seed("unrelated-db");
    await createSite("scanned-app", "scanned-db");
    await createSite("unrelated-app", "unrelated-db");
    expect(await served("scanned-app")).toBe(initial);
    expect((await service.rotateNow("local", "scanned-db")).outcome).toBe("rotated");
    expect(await served("scanned-app")).toBe(await liveValue("scanned-db"));
    expect(refreshes.get("scanned-app")).toBe(1);
    expect(refreshes.get("unrelated-app")).toBeUndefined();
  });

  it("a run stopped after finish refreshes on its rerun; one stopped after the refresh does not refresh again", async () => {
    await seed("crash-after-finish");
    await seed("crash-after-refresh");
    await createSite("crash-after-finish", "crash-after-finish");
    await createSite("crash-after-refresh", "crash-after-refresh");

    const stopping = await stoppingService(stack, capture, [{ secret: "crash-after-finish", step: "finish" }]);
    await expect(stopping.rotateNow("local", "crash-after-finish")).rejects.toThrow("stopped after finish");
    expect(refreshes.get("crash-after-finish")).toBeUndefined();
    const resumed = await service.rotateNow("local", "crash-after-finish");
    expect(resumed.outcome).toBe("already-rotated");
    expect(refreshes.get("crash-after-finish")).toBe(1);
    expect(await served("crash-after-finish")).toBe(await liveValue("crash-after-finish"));

    // Stopped after the refresh and before the pending credential was closed.
    const killing = await serviceFor(stack, capture);
    const refresh = killing.engine.deps.afterFinish!.bind(killing.engine.deps);
    killing.engine.deps.afterFinish = async (finished) => {
      await refresh(finished);
      if (!finished.resumed) throw new Error("stopped after the refresh");
    };
    await expect(killing.rotateNow("local", "crash-after-refresh")).rejects.toThrow("stopped after the refresh");
    expect(refreshes.get("crash-after-refresh")).toBe(1);
    expect((await killing.rotateNow("local", "crash-after-refresh")).outcome).toBe("already-rotated");
    expect(refreshes.get("crash-after-refresh")).toBe(1);
    expect(await refreshRows("crash-after-refresh")).toHaveLength(1);
    expect(await openPendings(kvguardSecrets(stack))).toEqual([]);
  });

  it("a refresh ARM refuses is recorded and alerted, the other sites are refreshed and the rotation stands", async () => {
    await seed("locked-db");
    await createSite("locked-app", "locked-db", { managementAccess: [{ principalId: "00000000-0000-0000-0000-0000000000aa", role: "Contributor" }] });
    await createSite("open-app", "locked-db");
    const result = await service.rotateNow("local", "locked-db");
    expect(result.outcome).toBe("rotated");
    expect(await served("open-app")).toBe(await liveValue("locked-db"));
    const rows = await refreshRows("locked-db");
    expect(rows.map((r) => r.outcome).sort()).toEqual(["failed", "ok"]);
    expect(rows.find((r) => r.outcome === "failed")!.message).toContain(siteId("locked-app"));
    const files = await readdir(alertDir, { recursive: true, withFileTypes: true });
    const texts = await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name), "utf8")));
    expect(texts.some((t) => t.includes("locked-app was not refreshed after the rotation of local/locked-db"))).toBe(true);
  });

  it("puts no secret value in logs, history, status or alerts", async () => {
    for (const file of await readdir(alertDir, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) capture.add(`alert ${file.name}`, await readFile(join(file.parentPath, file.name), "utf8"));
    }
    await expectNoSecretValues(stack, capture, service);
  });
});
