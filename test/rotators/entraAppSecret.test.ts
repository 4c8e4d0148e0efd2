/**
 * The `entra-app-secret` rotator through the rotation engine against the local stack (Key Vault, Azurite,
 * and the local cloud's Graph and Entra token endpoint): a rotation adds a kvguard-marked client secret
 * that really gets a token, revoke after the grace period removes only kvguard's own secrets, an app that
 * allows two secrets gets room, a crash between addPassword and the pending write leaves an orphan the rerun
 * removes, concurrent triggers rotate once, missing permission and a lifetime policy fail clearly, Graph 429s
 * are retried after Retry-After, and no secret text reaches logs, errors, history or status.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEntraAdmin, type AdminApplication, type ApplicationSettings } from "../../emulator/cloud/entra/adminClient.js";
import { startLocalAlerts, type LocalAlerts } from "../../dev/alerts/localAlerts.js";
import { devClaims } from "../../src/azure/devCredential.js";
import { ENTRA_DEMO, startEntraDemo } from "../../dev/demo/entraDemo.js";
import type { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, serviceFor } from "../helpers/rotation.js";
import { secretWorks } from "../helpers/entra.js";
import { waitUntil } from "../helpers/wait.js";

const DAY = 86_400;
const KVGUARD_OID = devClaims({ name: "kvguard" }).oid!;
let stack: LocalStack;
let service: RotationService;
let admin: LocalEntraAdmin;
let alerts: LocalAlerts;
let alertDir: string;
const capture = new Capture();

/** The applications the operator bound (object ids). */
const bound: string[] = [];

/** The operator binds an application (object id) kvguard may add client secrets to. */
async function bind(id: string): Promise<void> {
  bound.push(id);
  await stack.writePolicy!({ bindings: { "entra-app-secret": [{ applications: bound }] } });
}

/** A new application, bound by the operator as it would bind each application kvguard rotates. */
async function newApp(name: string, settings: ApplicationSettings = {}) {
  const app = await admin.createApplication({ displayName: name, owners: [KVGUARD_OID], ...settings });
  await bind(app.id);
  return app;
}

/** A Key Vault secret holding a first client secret made by hand, tagged as Microsoft's sample tags it. */
async function seed(name: string, app: AdminApplication, tags: Record<string, string> = {}, dates: { startDateTime?: string; endDateTime?: string } = {}) {
  const initial = await admin.addPassword(app.id, { displayName: "made by hand", ...dates });
  capture.values.add(initial.secretText);
  await kvguardSecrets(stack).setSecret(name, initial.secretText, {
    tags: { "kvguard-rotator": "entra-app-secret", ProviderAddress: app.id, CredentialId: initial.keyId, "kvguard-options": "propagationSeconds=10", ...tags },
  });
  return initial;
}

async function live(name: string) {
  const secret = await kvguardSecrets(stack).getSecret(name);
  capture.values.add(secret.value!);
  return secret;
}

const works = (appId: string, secret: string) => secretWorks(stack, appId, secret);

const keyIds = async (app: AdminApplication) => (await admin.getApplication(app.id)).passwordCredentials.map((p) => p.keyId).sort();

async function rotate(name: string) {
  try {
    return await service.rotateNow("local", name);
  } catch (error) {
    capture.error(`rotate ${name}`, error);
    throw error;
  }
}

async function failure(name: string): Promise<Error> {
  const error = await rotate(name).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, `${name} should fail`).toBeInstanceOf(Error);
  return error!;
}

async function revoke(name: string) {
  return service.engine.run({ v: 1, kind: "revoke", vault: "local", name, trigger: "schedule", requestedAt: new Date().toISOString() });
}

beforeAll(async () => {
  // Every alert (the failures below raise some) goes to local Teams and SMTP catchers, whose files are scanned.
  alertDir = await mkdtemp(join(tmpdir(), "kvguard-entra-alerts-"));
  alerts = await startLocalAlerts({ outDir: alertDir, print: (line) => capture.add("alert catcher", line) });
  // The demo's operator lets its secret rotate every two minutes (below the default floor of a day).
  stack = await startLocalStack({ settings: { ...alerts.settings, KVGUARD_MIN_ROTATION_PERIOD: "PT1M" }, policy: {} });
  admin = new LocalEntraAdmin(stack.cloud.url, stack.tv.kv.tls.caPem);
  await admin.setPermissions(KVGUARD_OID, ["Application.ReadWrite.OwnedBy"]);
  service = await serviceFor(stack, capture);
});
afterAll(async () => {
  await stack.stop();
  await alerts.close();
  await rm(alertDir, { recursive: true, force: true });
});

describe("entra-app-secret through the engine", () => {
  it("adds a kvguard secret that gets a token, keeps the old one for the grace period, then revokes only kvguard's own", async () => {
    const app = await newApp("billing");
    const initial = await seed("billing-secret", app);
    // Someone else's secret, and kvguard's for another Key Vault secret: never touched.
    const foreign = await admin.addPassword(app.id, { displayName: "ci pipeline" });
    const neighbour = await admin.addPassword(app.id, { displayName: "kvguard local/another-secret" });
    capture.values.add(foreign.secretText).add(neighbour.secretText);

    const first = await rotate("billing-secret");
    expect(first.outcome).toBe("rotated");
    const v1 = await live("billing-secret");
    const p1 = v1.properties.tags!.CredentialId!;
    expect(p1).not.toBe(initial.keyId);
    const shown = (await admin.getApplication(app.id)).passwordCredentials.find((p) => p.keyId === p1);
    expect(shown).toMatchObject({ displayName: "kvguard local/billing-secret", hint: v1.value!.slice(0, 3) });
    expect(await works(app.appId, v1.value!)).toBe(true);
    expect(await works(app.appId, initial.secretText)).toBe(true);

    // After the grace period: the hand-made first secret is left in place (kvguard did not add it).
    stack.tv.kv.clock.advance(2 * DAY);
    expect((await revoke("billing-secret")).outcome).toBe("revoked");
    expect(await keyIds(app)).toEqual([initial.keyId, foreign.keyId, neighbour.keyId, p1].sort());

    expect((await rotate("billing-secret")).outcome).toBe("rotated");
    const v2 = await live("billing-secret");
    const p2 = v2.properties.tags!.CredentialId!;
    stack.tv.kv.clock.advance(2 * DAY);
    expect((await revoke("billing-secret")).outcome).toBe("revoked");
    // kvguard's own replaced secret is gone and refused; everything else stays.
    expect(await keyIds(app)).toEqual([initial.keyId, foreign.keyId, neighbour.keyId, p2].sort());
    expect(await works(app.appId, v1.value!)).toBe(false);
    expect(await works(app.appId, v2.value!)).toBe(true);
    expect(await works(app.appId, foreign.secretText)).toBe(true);
  });

  it("revokeInitial=true removes the hand-made secret it replaced, after the grace period", async () => {
    const app = await newApp("reports");
    const initial = await seed("reports-secret", app, { "kvguard-options": "propagationSeconds=10;revokeInitial=true" });
    await rotate("reports-secret");
    stack.tv.kv.clock.advance(2 * DAY);
    await revoke("reports-secret");
    expect(await keyIds(app)).toEqual([(await live("reports-secret")).properties.tags!.CredentialId]);
    expect(await works(app.appId, initial.secretText)).toBe(false);
  });

  it("keeps room in an app limited to two secrets: removes kvguard's older secret, fails clearly when none is its own", async () => {
    const app = await newApp("consumer-app", { signInAudience: "AzureADandPersonalMicrosoftAccount" });
    const initial = await seed("consumer-secret", app);
    await rotate("consumer-secret");
    const p1 = (await live("consumer-secret")).properties.tags!.CredentialId!;
    // Full: the hand-made one (not kvguard's) and the current one; nothing kvguard may remove.
    const full = await failure("consumer-secret");
    expect(full.message).toMatch(/allows at most 2 client secrets.*revokeInitial=true/);
    expect(await keyIds(app)).toEqual([initial.keyId, p1].sort());

    // Once kvguard may remove the first secret it replaced, the rotation takes its place.
    await kvguardSecrets(stack).updateSecretProperties("consumer-secret", (await live("consumer-secret")).properties.version!, {
      tags: { ...(await live("consumer-secret")).properties.tags, "kvguard-options": "propagationSeconds=10;revokeInitial=true" },
    });
    stack.tv.kv.clock.advance(2 * DAY);
    await revoke("consumer-secret");
    expect(await keyIds(app)).toEqual([p1]);
    await rotate("consumer-secret");
    const p2 = (await live("consumer-secret")).properties.tags!.CredentialId!;
    // A third rotation within p1's grace period: kvguard's older secret p1 makes room.
    await rotate("consumer-secret");
    const v3 = await live("consumer-secret");
    expect(await keyIds(app)).toEqual([p2, v3.properties.tags!.CredentialId!].sort());
    expect(await works(app.appId, v3.value!)).toBe(true);
  });

  it("a crash between addPassword and the pending write: the rerun removes the orphan and completes", async () => {
    const app = await newApp("orphans");
    const initial = await seed("orphan-secret", app);
    // Key Vault refuses the pending companion's write once: the password exists in Entra, nowhere else.
    stack.tv.kv.faults.add({ status: 400, count: 1, match: "PUT /secrets/orphan-secret--kvguard-pending" });
    await failure("orphan-secret");
    const orphaned = (await admin.getApplication(app.id)).passwordCredentials.filter((p) => p.displayName === "kvguard local/orphan-secret");
    expect(orphaned).toHaveLength(1);
    expect((await live("orphan-secret")).value).toBe(initial.secretText);

    expect((await rotate("orphan-secret")).outcome).toBe("rotated");
    const v1 = await live("orphan-secret");
    // One new secret: the orphan is gone, the old one stays for its grace period.
    expect(await keyIds(app)).toEqual([initial.keyId, v1.properties.tags!.CredentialId!].sort());
    expect(await keyIds(app)).not.toContain(orphaned[0]!.keyId);
    expect(await works(app.appId, v1.value!)).toBe(true);
    expect(await openPendings(kvguardSecrets(stack))).toEqual([]);
  });

  it("three simultaneous triggers rotate once: one new secret", async () => {
    const app = await newApp("concurrent");
    await seed("concurrent-secret", app);
    const results = await Promise.all([rotate("concurrent-secret"), rotate("concurrent-secret"), rotate("concurrent-secret")]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["already-rotated", "already-rotated", "rotated"]);
    expect((await keyIds(app)).length).toBe(2);
  });

  it("names the missing Graph permission, and an app-management policy's lifetime cap, clearly", async () => {
    const notOwned = await admin.createApplication({ displayName: "not-owned" });
    await bind(notOwned.id);
    await seed("unowned-secret", notOwned);
    const denied = await failure("unowned-secret");
    expect(denied.message).toMatch(/403 Authorization_RequestDenied.*Application\.ReadWrite\.OwnedBy.*owner.*Application\.ReadWrite\.All/);
    expect((await service.status.get("local", "unowned-secret", "secret"))?.lastError).toMatch(/Application\.ReadWrite\.OwnedBy/);
    expect((await admin.getApplication(notOwned.id)).passwordCredentials).toHaveLength(1);

    const capped = await newApp("capped", { maxPasswordLifetimeDays: 90 });
    await seed("capped-secret", capped, {}, { endDateTime: new Date(Date.now() + 30 * DAY * 1000).toISOString() });
    const refused = await failure("capped-secret");
    expect(refused.message).toMatch(/CredentialInvalidLifetimeAsPerAppPolicy.*lifetimeDays/);
    const current = await live("capped-secret");
    await kvguardSecrets(stack).updateSecretProperties("capped-secret", current.properties.version!, {
      tags: { ...current.properties.tags, "kvguard-options": "propagationSeconds=10;lifetimeDays=60" },
    });
    expect((await rotate("capped-secret")).outcome).toBe("rotated");
  });

  it("retries Graph's 429 after its Retry-After, and waits for a new secret to propagate", async () => {
    const app = await newApp("throttled", { propagationSeconds: 2 });
    await seed("throttled-secret", app, {}, { startDateTime: new Date(Date.now() - 3_600_000).toISOString() });
    stack.cloud.addFault({ status: 429, count: 2, retryAfterSeconds: 1, match: "POST /v1.0/" });
    const started = Date.now();
    expect((await rotate("throttled-secret")).outcome).toBe("rotated");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(stack.cloud.faults.list().at(-1)).toMatchObject({ served: 2, remaining: 0 });
    expect(await works(app.appId, (await live("throttled-secret")).value!)).toBe(true);
  });

  it("the npm start demo seeds an app and its secret, and its watcher gets a token with each new version", async () => {
    const lines: string[] = [];
    await bind(ENTRA_DEMO.objectId);
    const demo = await startEntraDemo({ kv: stack.tv.kv, cloudUrl: stack.cloud.url, vaultUrl: stack.tv.url, write: (l) => lines.push(l), pollMs: 100 });
    try {
      expect(lines.join("\n")).toMatch(/seeded demo-entra-app-secret/);
      const seeded = await live(demo.secretName);
      expect(seeded.properties.tags).toMatchObject({ "kvguard-rotator": "entra-app-secret", "kvguard-rotate-every": "PT2M" });
      expect((await rotate(demo.secretName)).outcome).toBe("rotated");
      const rotated = await live(demo.secretName);
      await waitUntil(
        "the watcher's token with the new version",
        () => lines.some((l) => l.includes(`got a token with version ${rotated.properties.version}`)),
        { seen: () => lines.join("\n") },
      );
      for (const line of lines) capture.add("entra demo", line);
    } finally {
      demo.stop();
    }
  });

  it("puts no secret text in any log, error, alert, history or status row", async () => {
    const files = (await readdir(alertDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    // The failures above were alerted (cards and mails, some held into summaries), and are scanned too.
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) capture.add(`alert ${file.name}`, await readFile(join(file.parentPath, file.name), "utf8"));
    expect(
      capture.texts
        .filter((t) => t.where.startsWith("alert "))
        .map((t) => t.text)
        .join("\n"),
    ).toMatch(/allows at most 2 client secrets/);
    await expectNoSecretValues(stack, capture, service);
  });
});
