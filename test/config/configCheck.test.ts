/** @module `kvguard config check`: problems one per line, or "config OK" and a secret-free summary. */
import { describe, expect, it } from "vitest";
import { configCheck } from "../../src/cli/configCheck.js";

const ACCOUNT_KEY = "c3VwZXItc2VjcmV0LWFjY291bnQta2V5LXZhbHVlLTEyMzQ1Njc4OTA=";
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=kvguardstore;AccountKey=${ACCOUNT_KEY}`;

async function run(env: Record<string, string | undefined>, readFile?: (path: string) => string) {
  let text = "";
  const code = await configCheck(env, { write: (chunk: string) => (text += chunk) }, readFile ? { readFile } : {});
  return { code, lines: text.trimEnd().split("\n"), text };
}

describe("configCheck", () => {
  it("prints config OK and a summary of an Azure config, exit 0", async () => {
    const { code, lines, text } = await run({
      KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net",
      AZURE_CLIENT_ID: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
      AzureWebJobsStorage: CONNECTION_STRING,
    });
    expect(code).toBe(0);
    expect(lines).toEqual([
      "config OK",
      "  vaults: myvault (https://myvault.vault.azure.net)",
      "  key vault: Azure",
      "  identity: user-assigned managed identity 6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
      "  storage: connection string (AccountName=kvguardstore)",
      "  log level: info",
    ]);
    expect(text).not.toContain(ACCOUNT_KEY);
  });

  it("summarizes a local config with its dev identity", async () => {
    const { code, lines } = await run(
      {
        KVGUARD_VAULT_URLS: "https://127.0.0.1:8443",
        KVGUARD_LOCAL_CA_FILE: "/state/ca.pem",
        KVGUARD_LOCAL_IDENTITY: "rotation-app",
        AzureWebJobsStorage: "UseDevelopmentStorage=true",
      },
      () => "-----BEGIN CERTIFICATE-----\n",
    );
    expect(code).toBe(0);
    expect(lines).toContain("  vaults: https://127.0.0.1:8443");
    expect(lines).toContain("  key vault: local, trusting the CA in /state/ca.pem");
    expect(lines).toContain('  identity: dev identity "rotation-app"');
    expect(lines).toContain("  storage: development storage (Azurite)");
  });

  it("prints each problem on its own line, exit 1, never a secret", async () => {
    const broken = CONNECTION_STRING.replace("AccountName=kvguardstore;", "");
    const { code, lines, text } = await run({ KVGUARD_VAULT_URLS: "not-a-url", AzureWebJobsStorage: broken, KVGUARD_LOGLEVEL: "debug" });
    expect(code).toBe(1);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      'KVGUARD_VAULT_URLS: "not-a-url" is not an https URL. Set it to a comma-separated list of vault URLs such as https://myvault.vault.azure.net',
    );
    expect(lines[1]).toMatch(/^AzureWebJobsStorage: the value \(set, \d+ chars\) is not a storage connection string/);
    expect(lines[2]).toMatch(/^KVGUARD_LOGLEVEL: unknown setting; did you mean KVGUARD_LOG_LEVEL\?/);
    expect(text).not.toContain(ACCOUNT_KEY);
    expect(text).not.toContain("config OK");
  });
});
