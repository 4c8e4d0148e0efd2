/**
 * @module Azurite (kvguard's state storage: locks, history, status, queue) unavailable: at the start of a
 * run, the CLI fails with a clear error and changes nothing; in the middle of a rotation, the run fails, the
 * pending credential stays open in Key Vault, and once Azurite is back (same ports, same data) the next run
 * resumes it to exactly one new version. Both at once, to keep the wall time down.
 */
import { startLocalCloud } from "../../emulator/cloud/index.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";
import { loadConfig } from "../../src/config/schema.js";
import type { RotationService } from "../../src/rotation/service.js";
import type { LocalStack } from "../helpers/localStack.js";
import { startTestVault } from "../helpers/localVault.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor, versionsOf } from "../helpers/rotation.js";

const TAGS = { "kvguard-rotator": "random", "kvguard-options": "length=20" };
const location = mkdtempSync(join(tmpdir(), "kvguard-azurite-"));
const capture = new Capture();
let azurite: RunningAzurite;
let ports: { blob: number; queue: number; table: number };
let stack: LocalStack;

function portOf(endpoint: string): number {
  return Number(new URL(endpoint).port);
}

/** Restarts Azurite on the same ports with the same data folder. */
async function restartAzurite(): Promise<void> {
  azurite = await startAzurite({ location, ports });
}

beforeAll(async () => {
  const [tv, first] = await Promise.all([startTestVault(), startAzurite({ location })]);
  azurite = first;
  const cloud = await startLocalCloud({ kv: tv.kv });
  ports = { blob: portOf(first.blobEndpoint), queue: portOf(first.queueEndpoint), table: portOf(first.tableEndpoint) };
  const env = {
    KVGUARD_VAULT_URLS: Object.entries(tv.kv.urls)
      .map(([name, url]) => `${name}=${url}`)
      .join(","),
    KVGUARD_LOCAL_CA_FILE: tv.kv.caFile,
    AzureWebJobsStorage: first.connectionString,
  };
  const result = loadConfig(env);
  if (!result.ok) throw new Error("test config is invalid");
  stack = {
    tv,
    azurite: first,
    cloud,
    env,
    config: result.config,
    stop: async () => {
      await Promise.all([tv.kv.close(), azurite.stop(), cloud.close()]);
    },
  };
});
afterAll(async () => {
  await stack.stop();
  rmSync(location, { recursive: true, force: true });
});

describe("Azurite unavailable", () => {
  let before: { version: string };
  let mid: { version: string; pending: string };
  let service: RotationService;
  let azuriteDown!: () => void;
  const stopped = new Promise<void>((resolve) => (azuriteDown = resolve));

  it("fails clearly, before a run (the CLI) and in the middle of one (the engine), losing nothing", async () => {
    const secrets = kvguardSecrets(stack);
    before = { version: (await secrets.setSecret("outage-before", "initial-outage-before-Wd3k", { tags: TAGS })).properties.version! };
    mid = { version: (await secrets.setSecret("outage-mid", "initial-outage-mid-Wd3k", { tags: TAGS })).properties.version!, pending: "" };
    service = await serviceFor(stack, capture, {
      afterStep: async (step, job) => {
        if (step === "create" && job.name === "outage-mid") {
          await azurite.stop();
          azuriteDown();
        }
      },
    });
    // Azurite stops right after the pending credential of outage-mid is created; meanwhile the CLI starts.
    const [error, run] = await Promise.all([
      service.rotateNow("local", "outage-mid").then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
      stopped.then(() => capture.cli(stack, ["rotate", "local/outage-before"])),
    ]);
    capture.error("rotateNow", error);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^kvguard rotate: .*ECONNREFUSED/m);
    expect(run.stderr).toContain("127.0.0.1:");
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/ECONNREFUSED/);

    // Nothing lost: outage-before is untouched; outage-mid's live secret too, its pending credential open in Key Vault.
    expect(await versionsOf(secrets, "outage-before")).toHaveLength(1);
    expect((await secrets.getSecret("outage-before")).properties.version).toBe(before.version);
    expect((await secrets.getSecret("outage-mid")).properties.version).toBe(mid.version);
    const pending = await secrets.getSecret(`outage-mid${PENDING}`);
    mid.pending = pending.value!;
    capture.values.add(mid.pending);
    expect(pending.properties.tags?.["kvguard-state"]).toBe("open");
    expect(await openPendings(secrets)).toEqual([`outage-mid${PENDING}`]);
  });

  it("once Azurite is back (same ports, same data), the same commands rotate, resuming the interrupted rotation", async () => {
    await restartAzurite();
    const secrets = kvguardSecrets(stack);
    // The dead run's lease lapses (15 s) and the next run resumes with the same pending credential.
    const [again, resumed] = await Promise.all([
      capture.cli(stack, ["rotate", "local/outage-before"]),
      capture.cli(stack, ["rotate", "local/outage-mid", "--json"]),
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("local/outage-before: rotated");
    expect(await versionsOf(secrets, "outage-before")).toHaveLength(2);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout.trim().split("\n").at(-1)!)).toMatchObject({ outcome: "rotated" });
    expect((await secrets.getSecret("outage-mid")).value).toBe(mid.pending);
    expect(await versionsOf(secrets, "outage-mid")).toHaveLength(2);
    expect(await openPendings(secrets)).toEqual([]);
    const rows = await service.history.list({ vault: "local", name: "outage-mid" });
    expect(new Set(rows.map((r) => r.rotationId)).size).toBe(1);
    expect(rows.map((r) => r.step)).toContain("create");
    expect(rows.find((r) => r.step === "finish")?.valueHmac).toBe(rows.find((r) => r.step === "create")?.valueHmac);
    await expectNoSecretValues(stack, capture, service);
  });
});
