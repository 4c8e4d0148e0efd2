/**
 * @module Vault discovery across subscriptions on the local cloud, with only KVGUARD_DISCOVERY_TAG set: the
 * subscriptions come from `GET /subscriptions` (`@azure/arm-resources-subscriptions`, paged through nextLink),
 * the vaults from each one's `vaults.listBySubscription`. A subscription kvguard's identity sees but may not
 * read (a cost reader's role) and a disabled one are reported by `kvguard doctor`, the others still
 * discovered; a sweep rotates what falls due in a discovered vault. Tags only select: a vault outside the
 * readable subscriptions, or a tag naming another address, never makes kvguard guard anything else. With
 * nothing found, kvguard runs and says it guards no vault.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app/app.js";
import { devClaims } from "../../src/azure/devCredential.js";
import type { DoctorReport } from "../../src/doctor/report.js";
import type { Plan } from "../../src/plan/plan.js";
import { runCli } from "../helpers/cli.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";

const TEAM = "11111111-1111-4111-8111-111111111111";
const BILLING = "22222222-2222-4222-8222-222222222222";
const RETIRED = "33333333-3333-4333-8333-333333333333";
const ELSEWHERE = "44444444-4444-4444-8444-444444444444";
const DAY_MS = 86_400_000;
const EVIL = "https://evil.example.com/";

let stack: LocalStack;
let env: Record<string, string>;

beforeAll(async () => {
  const kvguard = devClaims({ name: "kvguard" }).oid!;
  const someoneElse = devClaims({ name: "someone-else" }).oid!;
  stack = await startLocalStack({
    vaults: [
      // A hostile neighbour tag cannot point kvguard elsewhere: the address is ARM's vaultUri.
      { name: "alpha", tags: { kvguard: "managed", vaultUri: EVIL, "kvguard-vault-url": EVIL } },
      { name: "plain" },
      { name: "sly", tags: { kvguard: `managed,${EVIL}`, KVGUARD_URL: EVIL } },
      { name: "beta", subscriptionId: TEAM, tags: { KVGuard: "managed" } },
      { name: "gamma", subscriptionId: BILLING, tags: { kvguard: "managed" } },
      { name: "delta", subscriptionId: RETIRED, tags: { kvguard: "managed" } },
      { name: "hidden", subscriptionId: ELSEWHERE, tags: { kvguard: "managed" } },
    ],
    azureSubscriptions: [
      { subscriptionId: TEAM, displayName: "team" },
      { subscriptionId: BILLING, displayName: "billing", access: [{ principalId: kvguard, role: "Cost Management Reader" }] },
      { subscriptionId: RETIRED, displayName: "retired", state: "Disabled" },
      { subscriptionId: ELSEWHERE, displayName: "elsewhere", access: [{ principalId: someoneElse, role: "Reader" }] },
    ],
  });
  const { KVGUARD_VAULT_URLS: _listed, ...rest } = stack.env;
  env = { ...rest, KVGUARD_DISCOVERY_TAG: "kvguard=managed" };
  const due = { tags: { "kvguard-rotator": "random" }, expiresOn: new Date(stack.tv.kv.clock.nowMs() + 5 * DAY_MS) };
  for (const vault of ["beta", "sly", "gamma"]) await stack.tv.clients({ name: "kvguard" }, vault).secrets.setSecret("token", `first-${vault}-Qz81`, due);
});

afterAll(async () => {
  await stack?.stop();
});

async function versionsOf(vault: string): Promise<number> {
  let n = 0;
  for await (const _ of stack.tv.clients({ name: "kvguard" }, vault).secrets.listPropertiesOfSecretVersions("token")) n++;
  return n;
}

describe("vault discovery across the subscriptions kvguard can read", () => {
  it("guards the tagged vaults of every readable subscription, at ARM's own addresses", async () => {
    const app = createApp(env, { log: () => undefined });
    try {
      const { config, discovery } = await app.guarded();
      expect(config.vaults).toEqual([
        { name: "alpha", url: stack.tv.kv.urls.alpha },
        { name: "beta", url: stack.tv.kv.urls.beta },
      ]);
      expect(JSON.stringify(config.vaults)).not.toContain("evil");
      // Four subscriptions visible in two pages (the cloud pages by two): the second page's were searched too.
      expect(discovery!.subscriptionIds.sort()).toEqual(["00000000-0000-0000-0000-000000000000", TEAM, BILLING].sort());
      expect(config.compliance.subscriptionIds).toContain(TEAM);
    } finally {
      await app.close();
    }
  });

  it("kvguard doctor reports the subscription it cannot read and the disabled one, and checks the vaults found", async () => {
    const { stdout, stderr } = await runCli(["doctor", "--format", "json"], env);
    expect(stderr).toBe("");
    const report = JSON.parse(stdout) as DoctorReport;
    const listing = report.checks.find((c) => c.name === "discovery: vaults by tag")!;
    expect(listing.status).toBe("failed");
    expect(listing.detail).toContain("2 vault(s) tagged kvguard=managed: alpha, beta in 3 subscription(s) of the subscriptions kvguard's identity can read");
    expect(listing.detail).toContain(`listing the vaults of subscription ${BILLING}`);
    expect(listing.detail).toContain(`subscription ${RETIRED} is Disabled`);
    expect(listing.detail).not.toContain(ELSEWHERE);
    expect(listing.fix).toContain("Reader");
    expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(["discovered vault beta: events", "discovered vault alpha: audit logs"]));
    expect(report.checks.some((c) => /gamma|delta|hidden|sly|plain/.test(c.name))).toBe(false);
  });

  it("a sweep rotates what is due in a discovered vault and nothing in the others", async () => {
    const { code, stdout } = await runCli(["sweep", "--json"], env);
    expect(code, stdout).toBe(0);
    expect(stdout).toContain(`vault discovery: listing the vaults of subscription ${BILLING}`);
    const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as { enqueued: number; errors: unknown[] };
    expect(report).toMatchObject({ enqueued: 1, errors: [] });
    expect(await versionsOf("beta")).toBe(2);
    expect(await versionsOf("sly")).toBe(1);
    expect(await versionsOf("gamma")).toBe(1);
    const status = await runCli(["status"], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^beta\/token {2}ok {2}last success/m);
  });

  it("KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS narrows the search to the subscriptions it names", async () => {
    const { stdout } = await runCli(["plan", "--json"], { ...env, KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS: TEAM });
    expect((JSON.parse(stdout) as Plan).vaults.map((v) => v.vault)).toEqual(["beta"]);
  });

  it("with no vault found, kvguard runs and says it guards none", async () => {
    const none = { ...env, KVGUARD_DISCOVERY_TAG: "kvguard=nowhere" };
    const note = "kvguard guards no vault: vault discovery found none tagged kvguard=nowhere and KVGUARD_VAULT_URLS lists none";
    const status = await runCli(["status"], none);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(note);
    const page = join(await mkdtemp(join(tmpdir(), "kvguard-status-")), "status.html");
    expect((await runCli(["status", "--html", page], none)).code).toBe(0);
    expect(await readFile(page, "utf8")).toContain(note);
    const sweep = await runCli(["sweep"], none);
    expect(sweep.code, sweep.stderr).toBe(0);
    const doctor = JSON.parse((await runCli(["doctor", "--format", "json"], none)).stdout) as DoctorReport;
    expect(doctor.checks.find((c) => c.name === "discovery: vaults by tag")).toMatchObject({
      status: "failed",
      detail: expect.stringContaining(note) as string,
    });
  });

  it("without KVGUARD_VAULT_URLS or KVGUARD_DISCOVERY_TAG the config check names both", async () => {
    const { KVGUARD_DISCOVERY_TAG: _tag, ...neither } = env;
    const { code, stdout } = await runCli(["config", "check"], neither);
    expect(code).not.toBe(0);
    expect(stdout).toContain("KVGUARD_VAULT_URLS: is not set, nor is KVGUARD_DISCOVERY_TAG");
  });
});
