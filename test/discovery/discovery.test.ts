/**
 * @module Vault discovery on the local cloud: with KVGUARD_DISCOVERY_TAG, vaults ARM lists with the tag
 * (set through `@azure/arm-keyvault`) join KVGUARD_VAULT_URLS for the rotation service (`kvguard plan` sees
 * them); a vault with another tag value or none stays out. `kvguard doctor` names each discovered vault
 * that lacks an Event Grid subscription taking SecretNearExpiry (listed through `@azure/arm-eventgrid`) or a
 * diagnostic setting sending AuditEvent (`@azure/arm-monitor`), with the command that fixes it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../emulator/index.js";
import { armClientOptions } from "../../src/azure/cloudClients.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { createArmClients } from "../../src/compliance/armClients.js";
import type { DoctorReport } from "../../src/doctor/report.js";
import type { Plan } from "../../src/plan/plan.js";
import { runCli } from "../helpers/cli.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { WebhookReceiver } from "../helpers/webhookReceiver.js";

let stack: LocalStack;
let hook: WebhookReceiver;
let env: Record<string, string>;

beforeAll(async () => {
  hook = await WebhookReceiver.start();
  stack = await startLocalStack({
    vaults: ["listed", "covered", "bare", "other"],
    // covered's events go to a webhook, as kvguard's onVaultEvent subscription would.
    subscriptions: [{ name: "kvguard-events", endpoint: hook.url, vaults: ["covered"], includedEventTypes: ["Microsoft.KeyVault.SecretNearExpiry"] }],
  });
  env = { ...stack.env, KVGUARD_VAULT_URLS: `listed=${stack.tv.kv.urls.listed}`, KVGUARD_DISCOVERY_TAG: "kvguard=managed" };
  const arm = createArmClients(
    new DevTokenCredential({ name: "platform-team" }),
    LOCAL_SUBSCRIPTION_ID,
    armClientOptions(stack.config.cloud, stack.config.local?.caPem),
  );
  await arm.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "covered", { tags: { KVGuard: "managed" } });
  await arm.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "bare", { tags: { kvguard: "managed" } });
  await arm.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "other", { tags: { kvguard: "ignored" } });
  const covered = (await arm.keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "covered")).id!.slice(1);
  await arm.monitor.diagnosticSettings.createOrUpdate(covered, "audit", {
    workspaceId: "/subscriptions/x/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w",
    logs: [{ category: "AuditEvent", enabled: true }],
  });
  await stack.tv
    .clients({ name: "kvguard" }, "bare")
    .secrets.setSecret("found-by-tag", "found-value-Wq28", { tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P3D" } });
});

afterAll(async () => {
  await stack?.stop();
  await hook?.close();
});

describe("vault discovery", () => {
  it("the rotation service guards the tagged vaults beside the listed one", async () => {
    const { code, stdout, stderr } = await runCli(["plan", "--json"], env);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Plan;
    expect(plan.vaults.map((v) => v.vault).sort()).toEqual(["bare", "covered", "listed"]);
    expect(plan.vaults.find((v) => v.vault === "bare")!.items.map((i) => i.name)).toEqual(["found-by-tag"]);
  });

  it("kvguard doctor names the discovered vault without event subscription and audit setting", async () => {
    const { stdout } = await runCli(["doctor", "--format", "json"], env);
    const report = JSON.parse(stdout) as DoctorReport;
    const check = (name: string) => report.checks.find((c) => c.name === name);
    expect(check("discovery: vaults by tag")).toMatchObject({
      status: "ok",
      detail: "2 vault(s) tagged kvguard=managed: covered, bare in 1 subscription(s) of the subscriptions kvguard's identity can read",
    });
    expect(check("discovered vault covered: events")).toMatchObject({ status: "ok", detail: "events reach kvguard through kvguard-events" });
    expect(check("discovered vault covered: audit logs")).toMatchObject({ status: "ok", detail: "AuditEvent goes out through audit" });
    expect(check("discovered vault bare: events")).toMatchObject({
      status: "failed",
      detail: expect.stringContaining("no Event Grid subscription of vault bare") as string,
      fix: expect.stringContaining("az eventgrid event-subscription create") as string,
    });
    expect(check("discovered vault bare: audit logs")).toMatchObject({
      status: "failed",
      fix: expect.stringContaining("az monitor diagnostic-settings create") as string,
    });
    expect(report.checks.some((c) => c.name.includes("other"))).toBe(false);
  });

  it("a tag setting that names no tag is refused by the config check", async () => {
    const { code, stdout } = await runCli(["config", "check"], { ...env, KVGUARD_DISCOVERY_TAG: "=managed" });
    expect(code).not.toBe(0);
    expect(stdout).toContain("KVGUARD_DISCOVERY_TAG");
  });
});
