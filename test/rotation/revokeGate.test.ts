/**
 * @module The audit-aware revoke against the local Key Vault, its audit folder and its movable clock: apps
 * (dev identities) read secrets through the SDK before and after kvguard rotates them; the sweep (in process
 * and as the built CLI, a new process each time, so no decision lives in memory) revokes the previous
 * credential early when every consumer switched, waits for one that did not (named in exactly one Teams
 * alert) until the maximum grace, holds it there when the operator's policy file says so, keeps waiting when
 * the audit log cannot be read, and falls back to the fixed grace, said once in `kvguard status`, without
 * an audit source.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import type { SecretClient } from "@azure/keyvault-secrets";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app/index.js";
import { statusOf } from "../../src/common/errors.js";
import { devClaims, type DevIdentity } from "../../src/azure/devCredential.js";
import type { InventoryItem } from "../../src/compliance/model.js";
import type { HistoryRow } from "../../src/rotation/history.js";
import type { ConsumerCounts } from "../../src/rotation/revokeGate.js";
import type { RotationService } from "../../src/rotation/service.js";
import { pendingRevokes } from "../../src/rotation/status.js";
import { startTeamsReceiver, type TeamsReceiver } from "../alerts/helpers/teamsReceiver.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { flushAudit } from "../helpers/localVault.js";
import { Capture, expectNoSecretValues, kvguardSecrets, serviceFor } from "../helpers/rotation.js";

const HOUR = 3600;
const TAGS = { "kvguard-rotator": "random", "kvguard-grace-period": "PT2H" };
const BILLING: DevIdentity = { name: "billing-api" };
const REPORTS: DevIdentity = { name: "reports-job" };
const ANALYST: DevIdentity = { name: "gate-analyst", upn: "analyst@kvguard.local" };
const LEDGER: DevIdentity = { name: "ledger-api" };
const label = (who: DevIdentity) => devClaims(who).upn ?? devClaims(who).appid!;

let stack: LocalStack;
let teams: TeamsReceiver;
const capture = new Capture();
const auditDir = mkdtempSync(join(tmpdir(), "kvguard-revoke-gate-audit-"));

function reader(who: DevIdentity): SecretClient {
  return stack.tv.clients(who).secrets;
}

async function read(who: DevIdentity, name: string): Promise<void> {
  capture.values.add((await reader(who).getSecret(name)).value!);
}

/** A new app's service each time: what the gate decides must come from storage and the audit log alone. */
async function sweep(env: Record<string, string | undefined> = stack.env): Promise<RotationService> {
  await flushAudit(stack.tv.kv);
  const service = await createApp(env, { clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: capture.log }).rotation();
  await service.sweep();
  for (;;) {
    const { receivedMessageItems: items } = await service.queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    if (items.length === 0) return service;
    for (const item of items) {
      await service.processMessage(item.messageText);
      await service.queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
}

async function revokeRows(service: RotationService, name: string): Promise<HistoryRow[]> {
  return (await service.history.list({ vault: "local", name })).filter((r) => r.step === "revoke");
}

async function enabled(name: string, version: string): Promise<boolean> {
  const status = await kvguardSecrets(stack)
    .getSecret(name, { version })
    .then(
      () => 200,
      (error: unknown) => statusOf(error),
    );
  // Disabled versions answer 403; anything else is a broken test.
  expect([200, 403]).toContain(status);
  return status === 200;
}

function laggingCards(about: string): string[] {
  return teams
    .delivered()
    .map((card) => JSON.stringify(card))
    .filter((card) => card.includes(`local/${about}`));
}

/** Each secret is read by its consumers, then (an hour later) rotated: all at the same moment. */
async function rotate(service: RotationService, consumers: Record<string, DevIdentity[]>): Promise<Record<string, { v1: string; v2: string }>> {
  const v1s: Record<string, string> = {};
  for (const [name, readers] of Object.entries(consumers)) {
    v1s[name] = (await kvguardSecrets(stack).setSecret(name, `initial-${name}-Qw8`, { tags: TAGS })).properties.version!;
    capture.values.add(`initial-${name}-Qw8`);
    for (const who of readers) await read(who, name);
  }
  stack.tv.kv.clock.advance(HOUR);
  const out: Record<string, { v1: string; v2: string }> = {};
  for (const name of Object.keys(consumers)) out[name] = { v1: v1s[name]!, v2: (await service.rotateNow("local", name)).version! };
  return out;
}

beforeAll(async () => {
  teams = await startTeamsReceiver();
  stack = await startLocalStack({
    auditDir,
    policy: { secrets: [{ match: { name: "held-*" }, revoke: { atMaxGrace: "hold" } }] },
    settings: {
      KVGUARD_AUDIT_FOLDER: auditDir,
      KVGUARD_REVOKE_MAX_GRACE: "P2D",
      KVGUARD_ALERT_RULES: JSON.stringify({ channels: { ops: { type: "teams" } }, routes: [{ kinds: ["consumer-lagging"], channels: ["ops"] }] }),
      KVGUARD_ALERT_TEAMS_WEBHOOKS: `ops=${teams.url}`,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await teams?.close();
});

describe("without an audit source", () => {
  it("revokes at the end of the grace period, says why in history, and kvguard status says so once", async () => {
    const { KVGUARD_AUDIT_FOLDER: _folder, ...env } = stack.env;
    const service = await createApp(env, { clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: capture.log }).rotation();
    const { v1 } = (await rotate(service, { "fixed-db": [BILLING] }))["fixed-db"]!;
    stack.tv.kv.clock.advance(3 * HOUR);
    const after = await sweep(env);
    expect(await enabled("fixed-db", v1)).toBe(false);
    const [row] = await revokeRows(after, "fixed-db");
    expect(row!.message).toMatch(/no audit source is configured.*\(fixed grace\)$/);

    const status = await capture.cli(stack, ["status"], { KVGUARD_AUDIT_FOLDER: "" });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.match(/no audit source is configured/g)).toHaveLength(1);
    expect(status.stdout.split("\n")[0]).toContain("fixed grace");
    const out = join(mkdtempSync(join(tmpdir(), "kvguard-revoke-gate-page-")), "status.html");
    expect((await capture.cli(stack, ["status", "--html", out], { KVGUARD_AUDIT_FOLDER: "" })).code).toBe(0);
    expect(readFileSync(out, "utf8").match(/no audit source is configured/g)).toHaveLength(1);
  });
});

describe("with the local Key Vault's audit folder", () => {
  let service: RotationService;
  let versions: Record<string, { v1: string; v2: string }>;

  beforeAll(async () => {
    service = await serviceFor(stack, capture);
    versions = await rotate(service, {
      "switching-db": [REPORTS, ANALYST],
      "lagging-db": [BILLING, ANALYST],
      "held-db": [LEDGER],
      "unread-db": [REPORTS],
      "archive-db": [REPORTS],
      "archive-lag-db": [BILLING, REPORTS],
    });
    // After the rotations: two apps switch to the new version, billing-api and ledger-api never do.
    for (const who of [REPORTS, ANALYST]) await read(who, "switching-db");
    await read(ANALYST, "lagging-db");
    await read(REPORTS, "unread-db");
    for (const name of ["archive-db", "archive-lag-db"]) await read(REPORTS, name);
  });

  it("never revokes before the normal grace, even when every consumer switched", async () => {
    const after = await sweep();
    expect(await enabled("switching-db", versions["switching-db"]!.v1)).toBe(true);
    expect(await revokeRows(after, "switching-db")).toEqual([]);
  });

  it("a read of the audit log that fails does not revoke early, is counted, and does not stop the sweep", async () => {
    stack.tv.kv.clock.advance(3 * HOUR);
    const missing = join(mkdtempSync(join(tmpdir(), "kvguard-revoke-gate-bad-")), "gone");
    const broken = await createApp(
      { ...stack.env, KVGUARD_AUDIT_FOLDER: missing },
      { clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: capture.log },
    ).rotation();
    const result = await broken.engine.run({
      v: 1,
      kind: "revoke",
      vault: "local",
      name: "unread-db",
      trigger: "schedule",
      requestedAt: new Date().toISOString(),
    });
    expect(result.outcome).toBe("revoke-waiting");
    expect(await enabled("unread-db", versions["unread-db"]!.v1)).toBe(true);
    const counts = JSON.parse((await broken.status.get("local", "unread-db", "secret"))!.consumers!) as ConsumerCounts;
    expect(counts).toMatchObject({ source: "failed", readFailures: 1 });
    expect((await broken.sweep()).errors).toEqual([]);
  });

  it("reads the storage archive the same way (the audit folder's files as blobs in Azurite)", async () => {
    await flushAudit(stack.tv.kv);
    const container = BlobServiceClient.fromConnectionString(stack.env.AzureWebJobsStorage!).getContainerClient("revoke-gate-archive");
    await container.createIfNotExists();
    for (const file of readdirSync(auditDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json"))) {
      const text = readFileSync(join(auditDir, file), "utf8");
      await container.getBlockBlobClient(file.split(sep).join("/")).upload(text, Buffer.byteLength(text));
    }
    const { KVGUARD_AUDIT_FOLDER: _folder, ...env } = stack.env;
    const archive = await createApp(
      { ...env, KVGUARD_AUDIT_ARCHIVE_ACCOUNT: "AzureWebJobsStorage", KVGUARD_AUDIT_ARCHIVE_CONTAINER: "revoke-gate-archive" },
      { clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: capture.log },
    ).rotation();
    const job = { v: 1 as const, kind: "revoke" as const, vault: "local", trigger: "schedule" as const, requestedAt: new Date().toISOString() };
    expect((await archive.engine.run({ ...job, name: "archive-db" })).outcome).toBe("revoked");
    expect((await revokeRows(archive, "archive-db"))[0]!.message).toMatch(/: all 1 consumer seen before the rotation read the new version$/);
    expect((await archive.engine.run({ ...job, name: "archive-lag-db" })).outcome).toBe("revoke-waiting");
    expect(await enabled("archive-lag-db", versions["archive-lag-db"]!.v1)).toBe(true);
    expect((await revokeRows(archive, "archive-lag-db"))[0]!.message).toMatch(new RegExp(`^${label(BILLING)} has not read the new version`));
  });

  it("after the grace: revokes where every consumer switched, waits for the one that did not and alerts once by name", async () => {
    // A run stopped right after the gate decided and alerted, before anything was revoked or stored.
    await flushAudit(stack.tv.kv);
    const stopped = await createApp(stack.env, {
      clock: { nowMs: () => stack.tv.kv.clock.nowMs() },
      log: capture.log,
      afterStep: (step, job) => {
        if (step === "revoke") throw new Error(`stopped after deciding the revoke of ${job.name}`);
      },
    }).rotation();
    const job = { v: 1 as const, kind: "revoke" as const, vault: "local", trigger: "schedule" as const, requestedAt: new Date().toISOString() };
    for (const name of ["lagging-db", "switching-db"]) await expect(stopped.engine.run({ ...job, name })).rejects.toThrow("stopped after deciding");
    expect(await enabled("switching-db", versions["switching-db"]!.v1)).toBe(true);
    expect(pendingRevokes(await stopped.status.get("local", "lagging-db", "secret"))[0]!.alerted).toBeUndefined();
    expect(laggingCards("lagging-db")).toHaveLength(1);

    // Then the built CLI, a process of its own, on the vault's clock, decides again from storage and the audit log
    // (ten minutes on: a revoke that waits, as unread-db did, is read again after five).
    stack.tv.kv.clock.advance(600);
    const swept = await capture.cli(stack, ["sweep", "--json"]);
    expect(swept.code, swept.stderr).toBe(0);

    expect(await enabled("switching-db", versions["switching-db"]!.v1)).toBe(false);
    expect((await revokeRows(service, "switching-db"))[0]!.message).toMatch(/: all 2 consumers seen before the rotation read the new version$/);
    expect(await enabled("unread-db", versions["unread-db"]!.v1)).toBe(false);

    expect(await enabled("lagging-db", versions["lagging-db"]!.v1)).toBe(true);
    // Recorded by the stopped run and again by the rerun (history is append-only); alerted once (the dedup ledger, then the status row).
    const waiting = await revokeRows(service, "lagging-db");
    expect(waiting.map((r) => r.message)).toEqual([
      expect.stringMatching(new RegExp(`^${label(BILLING)} has not read the new version of local/lagging-db 3 hours after rotation; the revoke waits until`)),
      waiting[0]!.message,
    ]);
    expect(pendingRevokes(await service.status.get("local", "lagging-db", "secret"))[0]!.alerted).toEqual([devClaims(BILLING).oid]);
    expect(JSON.parse((await service.status.get("local", "lagging-db", "secret"))!.consumers!)).toMatchObject({
      source: "audit",
      consumers: 2,
      onOldVersion: 1,
    });

    // Another sweep a day later: still waiting, still one alert.
    stack.tv.kv.clock.advance(24 * HOUR);
    const later = await sweep();
    expect(await enabled("lagging-db", versions["lagging-db"]!.v1)).toBe(true);
    expect(await revokeRows(later, "lagging-db")).toHaveLength(2);
    const cards = laggingCards("lagging-db");
    expect(cards).toHaveLength(1);
    expect(cards[0]).toContain(`${label(BILLING)} has not read the new version of local/lagging-db 3 hours after rotation`);
    expect(cards[0]).not.toContain(label(ANALYST));
  });

  it("kvguard status, its page and the compliance report count each secret's consumers and those on the old version", async () => {
    const status = await capture.cli(stack, ["status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toContain("no audit source is configured");
    expect(status.stdout).toMatch(/local\/lagging-db .* consumers 2 \(1 on the old version\)/);
    expect(status.stdout).toMatch(/local\/switching-db .* consumers 2 \(0 on the old version\)/);

    const out = mkdtempSync(join(tmpdir(), "kvguard-revoke-gate-out-"));
    const page = await capture.cli(stack, ["status", "--html", join(out, "status.html")]);
    expect(page.code, page.stderr).toBe(0);
    const text = readFileSync(join(out, "status.html"), "utf8").replace(/\s+/g, " ");
    expect(text).toContain("Consumers of rotated secrets");
    expect(text).toMatch(/<td>lagging-db<\/td> <td>2<\/td> <td>1<\/td>/);

    const app = createApp(stack.env, { clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: capture.log });
    const report = await app.reportToFolder(out, { formats: ["json", "html"] });
    const file = (format: string) => report.files.find((f) => f.format === format)!.location;
    const json = JSON.parse(readFileSync(file("json"), "utf8")) as { inventory: InventoryItem[] };
    expect(json.inventory.find((i) => i.name === "lagging-db")!.consumers).toMatchObject({ source: "audit", consumers: 2, onOldVersion: 1 });
    const html = readFileSync(file("html"), "utf8").replace(/\s+/g, " ");
    expect(html).toMatch(/<td>local<\/td> <td>lagging-db<\/td> <td>2<\/td> <td>1<\/td>/);
    await app.close();
  });

  it("at the maximum grace: revokes anyway by default, holds where the operator's policy file says hold", async () => {
    stack.tv.kv.clock.advance(24 * HOUR);
    let after = await sweep();
    expect(await enabled("lagging-db", versions["lagging-db"]!.v1)).toBe(false);
    const revoked = (await revokeRows(after, "lagging-db")).find((r) => r.outcome === "ok")!;
    expect(revoked.message).toMatch(new RegExp(`maximum grace \\(2 days\\) reached; revoked anyway, still on it: ${label(BILLING)}$`));
    expect(laggingCards("lagging-db")).toHaveLength(1);

    expect(await enabled("held-db", versions["held-db"]!.v1)).toBe(true);
    after = await sweep();
    expect(await enabled("held-db", versions["held-db"]!.v1)).toBe(true);
    const held = (await revokeRows(after, "held-db")).map((r) => r.message);
    expect(held.filter((m) => m.includes("held at maximum grace"))).toHaveLength(1);
    expect(held.filter((m) => m.startsWith(`${label(LEDGER)} has not read`))).toHaveLength(1);
    const cards = laggingCards("held-db");
    expect(cards.filter((c) => c.includes("held at the maximum grace"))).toHaveLength(1);
    expect(cards.filter((c) => c.includes(`${label(LEDGER)} has not read the new version`))).toHaveLength(1);
    const [pending] = pendingRevokes(await after.status.get("local", "held-db", "secret"));
    expect(pending!.version).toBe(versions["held-db"]!.v1);
    expect(Date.parse(pending!.heldAt!)).toBeGreaterThan(0);
  });

  it("a held credential is revoked once its last consumer reads the new version", async () => {
    await read(LEDGER, "held-db");
    stack.tv.kv.clock.advance(600);
    const after = await sweep();
    expect(await enabled("held-db", versions["held-db"]!.v1)).toBe(false);
    expect((await revokeRows(after, "held-db")).find((r) => r.outcome === "ok")!.message).toMatch(
      /all 1 consumer seen before the rotation read the new version$/,
    );
    expect(pendingRevokes(await after.status.get("local", "held-db", "secret"))).toEqual([]);
  });

  it("never shows a secret value", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
