import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AzureKeyCredential, EventGridPublisherClient } from "@azure/eventgrid";
import { describe, expect, it } from "vitest";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { createVaultClients } from "../../src/azure/keyVaultClients.js";
import { loadConfig } from "../../src/config/schema.js";
import { runCli, startCli } from "../helpers/cli.js";
import { httpsRequest } from "../helpers/https.js";
import { WebhookReceiver } from "../helpers/webhookReceiver.js";

const credential = new DevTokenCredential({ name: "cli-test" });
const clients = (vaultUrl: string, ca: string) => createVaultClients({ vaultUrl, credential, ca, retryOptions: { maxRetries: 0 } });

describe("kvguard emulator", () => {
  it("prints one ready line, serves several vaults apart, and keeps state, CA and clock across a restart", async () => {
    const state = mkdtempSync(join(tmpdir(), "kvguard-cli-"));
    const caOut = join(state, "exported-ca.pem");
    const args = ["emulator", "--state", state, "--vault", "alpha", "--vault", "beta", "--ca-out", caOut, "--clock", "P1D"];
    const first = await startCli(args);
    const vaults = first.ready.vaults as Record<string, string>;
    expect(Object.keys(vaults)).toEqual(["alpha", "beta"]);
    expect(vaults.alpha).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(vaults.beta).not.toBe(vaults.alpha);
    expect(first.ready.ca).toBe(caOut);
    const ca = readFileSync(caOut, "utf8");
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const alpha = clients(vaults.alpha!, ca);
    const kept = await alpha.secrets.setSecret("kept", "persisted-value", { tags: { owner: "cli-test" } });
    await alpha.secrets.setSecret("gone", "v");
    await (await alpha.secrets.beginDeleteSecret("gone", { intervalInMs: 10 })).pollUntilDone();
    await expect(clients(vaults.beta!, ca).secrets.getSecret("kept")).rejects.toMatchObject({ statusCode: 404 });
    const clock = (await httpsRequest(`${vaults.alpha}/management/clock`, { ca })).json() as { offsetSeconds: number };
    expect(clock.offsetSeconds).toBe(86_400);
    expect(await first.stop()).toBe(0);

    const second = await startCli(["emulator", "--state", state, "--vault", "alpha", "--vault", "beta"]);
    try {
      const urls = second.ready.vaults as Record<string, string>;
      // The same CA: a client configured before the restart still trusts the server.
      const again = clients(urls.alpha!, ca);
      const secret = await again.secrets.getSecret("kept");
      expect(secret.value).toBe("persisted-value");
      expect(secret.properties.version).toBe(kept.properties.version);
      expect(secret.properties.tags).toEqual({ owner: "cli-test" });
      expect((await again.secrets.getDeletedSecret("gone")).name).toBe("gone");
      const after = (await httpsRequest(`${urls.alpha}/management/clock`, { ca })).json() as { offsetSeconds: number };
      expect(after.offsetSeconds).toBeGreaterThanOrEqual(86_400);
    } finally {
      await second.stop();
    }
  });

  it("serves a vault that was not served last time without losing the other's state", async () => {
    const state = mkdtempSync(join(tmpdir(), "kvguard-cli-"));
    const first = await startCli(["emulator", "--state", state, "--vault", "alpha"]);
    const ca = readFileSync(first.ready.ca as string, "utf8");
    await clients((first.ready.vaults as Record<string, string>).alpha!, ca).secrets.setSecret("a", "1");
    await first.stop();
    const onlyBeta = await startCli(["emulator", "--state", state, "--vault", "beta"]);
    await clients((onlyBeta.ready.vaults as Record<string, string>).beta!, ca).secrets.setSecret("b", "2");
    await onlyBeta.stop();
    const both = await startCli(["emulator", "--state", state, "--vault", "alpha", "--vault", "beta"]);
    try {
      const urls = both.ready.vaults as Record<string, string>;
      expect((await clients(urls.alpha!, ca).secrets.getSecret("a")).value).toBe("1");
      expect((await clients(urls.beta!, ca).secrets.getSecret("b")).value).toBe("2");
    } finally {
      await both.stop();
    }
  });

  it("delivers events to --subscribe webhooks after their handshake", async () => {
    const hook = await WebhookReceiver.start();
    const running = await startCli(["emulator", "--subscribe", hook.url]);
    try {
      expect(hook.validations).toHaveLength(1);
      const ca = readFileSync(running.ready.ca as string, "utf8");
      await clients((running.ready.vaults as Record<string, string>).local!, ca).secrets.setSecret("announced", "v");
      await hook.waitFor((r) => r.deliveredTypes().includes("Microsoft.KeyVault.SecretNewVersionCreated"));
      expect(hook.delivered()[0]).toMatchObject({ subject: "announced", data: { ObjectName: "announced" } });
    } finally {
      await running.stop();
      await hook.close();
    }
  });

  it("with --cloud --azurite serves the local cloud and Azurite beside the vaults, prints the settings for kvguard, and keeps the cloud's state", async () => {
    const state = mkdtempSync(join(tmpdir(), "kvguard-cli-cloud-"));
    const first = await startCli(["emulator", "--state", state, "--vault", "alpha", "--cloud", "--azurite"]);
    let restarted: Awaited<ReturnType<typeof startCli>> | undefined;
    try {
      const cloud = first.ready.cloud as string;
      const settings = first.ready.settings as Record<string, string>;
      expect(cloud).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(settings).toMatchObject({
        KVGUARD_VAULT_URLS: `alpha=${(first.ready.vaults as Record<string, string>).alpha}`,
        KVGUARD_LOCAL_CA_FILE: first.ready.ca,
        KVGUARD_ARM_ENDPOINT: cloud,
        KVGUARD_GRAPH_ENDPOINT: cloud,
        KVGUARD_AUTHORITY_HOST: cloud,
      });
      expect(settings.AzureWebJobsStorage).toContain("AccountName=devstoreaccount1");
      const loaded = loadConfig(settings);
      expect(loaded.ok).toBe(true);

      const ca = readFileSync(first.ready.ca as string, "utf8");
      const admin = (method: string, path: string, body?: unknown) =>
        httpsRequest(`${cloud}${path}`, { method, ca, headers: { "Content-Type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const topic = (await admin("POST", "/management/eventgrid/topics", { name: "cli-topic", inputSchema: "CloudEventSchemaV1_0" })).json() as {
        endpoint: string;
        key1: string;
      };
      expect((await admin("POST", "/management/storage/accounts", { name: "clistore" })).status).toBe(201);
      // A fault set over HTTP, as a script would: the publisher's retry rides it out.
      expect((await admin("POST", "/management/faults", { status: 503, count: 1, match: "POST /eventgrid/" })).status).toBe(201);
      const publisher = new EventGridPublisherClient(topic.endpoint, "CloudEvent", new AzureKeyCredential(topic.key1), {
        tlsOptions: { ca },
        retryOptions: { retryDelayInMs: 10 },
      });
      await publisher.send([{ type: "Cli.Test", source: "/cli" }]);
      expect((await admin("GET", "/management/faults")).json()).toMatchObject([{ served: 1 }]);
      expect(await first.stop()).toBe(0);

      restarted = await startCli(["emulator", "--state", state, "--vault", "alpha", "--cloud", "--azurite"]);
      const again = (p: string) => httpsRequest(`${restarted!.ready.cloud as string}${p}`, { ca });
      expect(((await again("/management/eventgrid/topics/cli-topic")).json() as { key1: string }).key1).toBe(topic.key1);
      expect(((await again("/management/storage/accounts")).json() as { name: string }[]).map((a) => a.name)).toContain("clistore");
    } finally {
      await first.stop();
      await restarted?.stop();
    }
  });

  it("rejects bad flags with a message and exit code 2", async () => {
    const badPort = await runCli(["emulator", "--port", "99999"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/--port must be 0-65535/);
    const badVault = await runCli(["emulator", "--vault", "x"]);
    expect(badVault.code).toBe(2);
    expect(badVault.stderr).toMatch(/invalid vault name "x"/);
    const badClock = await runCli(["emulator", "--clock", "soon"]);
    expect(badClock.stderr).toMatch(/not a duration/);
    const strayCloudPort = await runCli(["emulator", "--cloud-port", "9000"]);
    expect(strayCloudPort.stderr).toMatch(/comes with --cloud/);
    const unknown = await runCli(["emulator", "--bogus"]);
    expect(unknown.code).toBe(2);
    const badMoment = await runCli(["emulator", "--lro-seconds=-1"]);
    expect(badMoment.code).toBe(2);
    expect(badMoment.stderr).toMatch(/--lro-seconds must be/);
  });

  it("takes --lro-seconds as the time a soft delete takes on the vault's clock", async () => {
    const cli = await startCli(["emulator", "--lro-seconds", "3600"]);
    try {
      const url = (cli.ready.vaults as Record<string, string>).local!;
      const ca = readFileSync(cli.ready.ca as string, "utf8");
      const { secrets } = clients(url, ca);
      await secrets.setSecret("slow", "v");
      const poller = await secrets.beginDeleteSecret("slow", { intervalInMs: 10 });
      await poller.poll();
      expect(poller.isDone()).toBe(false);
      await httpsRequest(`${url}/management/clock/advance`, {
        method: "POST",
        ca,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ seconds: 3600 }),
      });
      expect((await poller.pollUntilDone()).name).toBe("slow");
    } finally {
      await cli.stop();
    }
  });
});
