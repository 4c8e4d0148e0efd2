import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("kvguard start (npm start)", () => {
  it("runs the demo against the local Key Vault and prints what happened, never a secret value", async () => {
    const state = mkdtempSync(join(tmpdir(), "kvguard-start-"));
    const { code, stdout, stderr } = await runCli(["start", "--demo-only", "--state", state]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/Local Key Vault "demo": https:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/orders-api tried to overwrite it: 403 Forbidden/);
    expect(stdout).toMatch(/unknown-app tried to read it: 403 Forbidden/);
    expect(stdout).toMatch(/verified: true/);
    expect(stdout).toMatch(/SecretNearExpiry payments-db-password/);

    const saved = JSON.parse(readFileSync(join(state, "state.json"), "utf8")) as {
      vaults: { secrets: { live: { name: string; versions: { value: string }[] }[] } }[];
    };
    const value = saved.vaults[0]!.secrets.live.find((e) => e.name === "payments-db-password")!.versions[0]!.value;
    expect(value.length).toBeGreaterThan(4);
    expect(stdout).not.toContain(value);
    expect(readdirSync(join(state, "audit"))[0]).toMatch(/^resourceId=/);
  });
});

describe("kvguard config check", () => {
  it("prints each problem with its fix and exits 1, or config OK and exits 0", async () => {
    const bad = await runCli(["config", "check"], { PATH: process.env.PATH, KVGUARD_VAULT_URLS: "not-a-url" });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^KVGUARD_VAULT_URLS: "not-a-url" is not an https URL/m);
    const good = await runCli(["config", "check"], {
      PATH: process.env.PATH,
      KVGUARD_VAULT_URLS: "https://contoso-prod.vault.azure.net",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
    });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^config OK/);
    const typo = await runCli(["config", "chek"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean "config check"/);
  });
});
