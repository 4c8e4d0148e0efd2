/** @module The settings schema, its table and `loadConfig`: typed config, fixable problems, no secret shown. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_LOCAL_IDENTITY,
  formatProblem,
  loadConfig,
  SETTING_NAMES,
  settingsTable,
  type ConfigProblem,
  type LoadConfigOptions,
} from "../../src/config/schema.js";
import { DAY_MS } from "../../src/common/duration.js";

const ACCOUNT_KEY = "c3VwZXItc2VjcmV0LWFjY291bnQta2V5LXZhbHVlLTEyMzQ1Njc4OTA=";
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=kvguardstore;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;
const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

/** A usable Azure configuration, plus settings any Functions app has and kvguard ignores. */
const AZURE_ENV = {
  KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net, https://othervault.vault.azure.net/",
  AzureWebJobsStorage: CONNECTION_STRING,
  FUNCTIONS_WORKER_RUNTIME: "node",
  WEBSITE_SITE_NAME: "kvguard-prod",
  PATH: "/usr/bin",
};

/** A usable local-Key-Vault configuration; the CA file is read through `readCa`. */
const LOCAL_ENV = {
  KVGUARD_VAULT_URLS: "https://127.0.0.1:8443",
  KVGUARD_LOCAL_CA_FILE: "/state/ca.pem",
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
};
const readCa: LoadConfigOptions = { readFile: () => CA_PEM };

function problemsOf(env: Record<string, string | undefined>, options: LoadConfigOptions = readCa): ConfigProblem[] {
  const result = loadConfig(env, options);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.config)}`);
  return result.problems;
}

describe("loadConfig", () => {
  describe("valid settings", () => {
    it("gives the typed config for Azure Key Vault", () => {
      const result = loadConfig(AZURE_ENV);
      expect(result).toEqual({
        ok: true,
        config: {
          vaults: [
            { name: "myvault", url: "https://myvault.vault.azure.net" },
            { name: "othervault", url: "https://othervault.vault.azure.net" },
          ],
          identity: { kind: "azure" },
          storage: { kind: "connectionString", accountName: "kvguardstore" },
          logLevel: "info",
          notices: { stageDays: [30, 14, 7, 1] },
          cloud: {
            armEndpoint: "https://management.azure.com",
            graphEndpoint: "https://graph.microsoft.com",
            authorityHost: "https://login.microsoftonline.com",
          },
          rotation: {
            schedule: "0 */15 * * * *",
            queue: "kvguard-rotations",
            concurrency: 8,
            maxAttempts: 5,
            hmacSecretName: "kvguard-history-hmac-key",
            minRotationSeconds: 86_400,
          },
          revoke: { baselineSeconds: 14 * 86_400, maxGraceSeconds: 7 * 86_400, atMaxGrace: "revoke" },
          compliance: {
            subscriptionIds: [],
            expiryWarningDays: 30,
            maxValidityDays: 730,
            maxActiveDays: 730,
            cryptoperiodDays: 365,
            minRsaKeySize: 2048,
            certMaxValidityMonths: 12,
            logRetentionDays: 365,
            maxCustodians: 3,
          },
          report: { container: "kvguard-reports", formats: ["html", "csv", "json", "pdf"], frameworks: [], history: 12 },
          export: {},
          telemetry: { mode: "off" },
          audit: {
            schedule: "0 */15 * * * *",
            workspaceIds: [],
            logsEndpoint: "https://api.loganalytics.io/v1",
            baselineDays: 14,
            thresholds: { persistence_unused_secret: { unusedDays: 90 } },
            allowedNetworks: [],
            canaries: [],
            selfIds: [],
            querySliceMinutes: 60,
            ingestionDelayMinutes: 10,
            lateArrivalHours: 48,
            consumerWindowMs: 14 * DAY_MS,
          },
          alerts: { schedule: "0 */5 * * * *" },
        },
      });
    });

    it("uses a user-assigned managed identity and identity-based storage", () => {
      const result = loadConfig({
        KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net",
        AZURE_CLIENT_ID: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        AzureWebJobsStorage__accountName: "kvguardstore",
        KVGUARD_LOG_LEVEL: "DEBUG",
      });
      expect(result.ok && result.config).toMatchObject({
        identity: { kind: "azure", managedIdentityClientId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b" },
        storage: { kind: "identity", accountName: "kvguardstore" },
        logLevel: "debug",
      });
    });

    it("treats the vaults as local when the CA file is set, with the default or named dev identity", () => {
      const result = loadConfig(LOCAL_ENV, readCa);
      expect(result.ok && result.config).toMatchObject({
        vaults: [{ name: "127.0.0.1:8443", url: "https://127.0.0.1:8443" }],
        local: { caFile: "/state/ca.pem", caPem: CA_PEM },
        identity: { kind: "dev", name: DEFAULT_LOCAL_IDENTITY },
        storage: { kind: "developmentStorage" },
      });
      const named = loadConfig({ ...LOCAL_ENV, KVGUARD_LOCAL_IDENTITY: "rotation-app" }, readCa);
      expect(named.ok && named.config.identity).toEqual({ kind: "dev", name: "rotation-app" });
    });

    it("treats blank values as unset", () => {
      const result = loadConfig({ ...AZURE_ENV, AZURE_CLIENT_ID: "", KVGUARD_LOG_LEVEL: "  ", KVGUARD_LOCAL_CA_FILE: "" });
      expect(result.ok && result.config).toMatchObject({ identity: { kind: "azure" }, logLevel: "info" });
    });
  });

  describe("each bad value is a problem that names the setting and says how to fix it", () => {
    const cases: { name: string; env: Record<string, string | undefined>; setting: string; says: string[] }[] = [
      {
        name: "revoke at maximum grace neither revoke nor hold",
        env: { ...AZURE_ENV, KVGUARD_REVOKE_AT_MAX_GRACE: "wait" },
        setting: "KVGUARD_REVOKE_AT_MAX_GRACE",
        says: ['"wait" is not revoke or hold', "Set it to revoke (the default) or hold"],
      },
      {
        name: "maximum grace not a duration",
        env: { ...AZURE_ENV, KVGUARD_REVOKE_MAX_GRACE: "a week" },
        setting: "KVGUARD_REVOKE_MAX_GRACE",
        says: ['"a week" is not a positive duration', "P7D"],
      },
      {
        name: "vault URLs missing",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: undefined },
        setting: "KVGUARD_VAULT_URLS",
        says: ["is not set", "Set it to a comma-separated list of vault URLs such as https://myvault.vault.azure.net"],
      },
      {
        name: "a vault URL that is not a URL",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: "not-a-url" },
        setting: "KVGUARD_VAULT_URLS",
        says: ['"not-a-url" is not an https URL. Set it to a comma-separated list of vault URLs such as https://myvault.vault.azure.net'],
      },
      {
        name: "a vault URL without its scheme",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: "myvault.vault.azure.net" },
        setting: "KVGUARD_VAULT_URLS",
        says: ["did you mean https://myvault.vault.azure.net?"],
      },
      {
        name: "an http vault URL",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: "http://myvault.vault.azure.net" },
        setting: "KVGUARD_VAULT_URLS",
        says: ['"http://myvault.vault.azure.net/" is not an https URL', "Set it to"],
      },
      {
        name: "a secret's URL instead of the vault's",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net/secrets/db-password" },
        setting: "KVGUARD_VAULT_URLS",
        says: ["has a path or query", "Use the vault's address alone, https://myvault.vault.azure.net"],
      },
      {
        name: "a vault listed twice",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net,https://MyVault.vault.azure.net/" },
        setting: "KVGUARD_VAULT_URLS",
        says: ["lists https://myvault.vault.azure.net twice", "List each vault once"],
      },
      {
        name: "an empty vault list",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: " , " },
        setting: "KVGUARD_VAULT_URLS",
        says: ["lists no vault URL", "Set it to"],
      },
      {
        name: "a local vault without the CA file",
        env: { ...AZURE_ENV, KVGUARD_VAULT_URLS: "https://127.0.0.1:8443" },
        setting: "KVGUARD_VAULT_URLS",
        says: ["https://127.0.0.1:8443 is on this machine", "Set KVGUARD_LOCAL_CA_FILE"],
      },
      {
        name: "an Azure vault with the CA file",
        env: { ...LOCAL_ENV, KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net" },
        setting: "KVGUARD_VAULT_URLS",
        says: ["https://myvault.vault.azure.net is in Azure", "Remove KVGUARD_LOCAL_CA_FILE"],
      },
      {
        name: "a dev identity without the local Key Vault",
        env: { ...AZURE_ENV, KVGUARD_LOCAL_IDENTITY: "rotation-app" },
        setting: "KVGUARD_LOCAL_IDENTITY",
        says: ["KVGUARD_LOCAL_CA_FILE is not", "remove KVGUARD_LOCAL_IDENTITY"],
      },
      {
        name: "a dev identity name with spaces",
        env: { ...LOCAL_ENV, KVGUARD_LOCAL_IDENTITY: "rotation app" },
        setting: "KVGUARD_LOCAL_IDENTITY",
        says: ['"rotation app" is not an identity name', "Set it to"],
      },
      {
        name: "a client ID that is not a GUID",
        env: { ...AZURE_ENV, AZURE_CLIENT_ID: "my-identity" },
        setting: "AZURE_CLIENT_ID",
        says: ['"my-identity" is not a GUID', "Set it to the client ID"],
      },
      {
        name: "no storage at all",
        env: { ...AZURE_ENV, AzureWebJobsStorage: undefined },
        setting: "AzureWebJobsStorage",
        says: ["is not set", "UseDevelopmentStorage=true", "AzureWebJobsStorage__accountName"],
      },
      {
        name: "storage that is not a connection string",
        env: { ...AZURE_ENV, AzureWebJobsStorage: "kvguardstore" },
        setting: "AzureWebJobsStorage",
        says: ["(set, 12 chars) is not a storage connection string", "Set it to UseDevelopmentStorage=true"],
      },
      {
        name: "both storage forms",
        env: { ...AZURE_ENV, AzureWebJobsStorage__accountName: "kvguardstore" },
        setting: "AzureWebJobsStorage__accountName",
        says: ["is set together with AzureWebJobsStorage", "Keep one"],
      },
      {
        name: "a storage account name with capitals",
        env: { ...AZURE_ENV, AzureWebJobsStorage: undefined, AzureWebJobsStorage__accountName: "KvguardStore" },
        setting: "AzureWebJobsStorage__accountName",
        says: ['"KvguardStore" is not a storage account name', "Set it to"],
      },
      {
        name: "another language worker",
        env: { ...AZURE_ENV, FUNCTIONS_WORKER_RUNTIME: "dotnet-isolated" },
        setting: "FUNCTIONS_WORKER_RUNTIME",
        says: ['"dotnet-isolated" is not "node"', "set it to node"],
      },
      {
        name: "an unknown log level",
        env: { ...AZURE_ENV, KVGUARD_LOG_LEVEL: "verbose" },
        setting: "KVGUARD_LOG_LEVEL",
        says: ['"verbose" is not a log level. Set it to error, warn, info or debug'],
      },
    ];
    it.each(cases)("$name", ({ env, setting, says }) => {
      const problems = problemsOf(env);
      expect(problems.map((p) => p.setting)).toEqual([setting]);
      for (const text of says) expect(problems[0]!.message).toContain(text);
    });

    it("names the CA file when it is missing or holds no certificate", () => {
      const missing = problemsOf(LOCAL_ENV, {
        readFile: () => {
          throw Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
        },
      });
      expect(missing.map(formatProblem)).toEqual([
        "KVGUARD_LOCAL_CA_FILE: /state/ca.pem does not exist. Set it to the CA certificate the local Key Vault wrote (ca.pem in its state folder)",
      ]);
      const notPem = problemsOf(LOCAL_ENV, { readFile: () => "hello" });
      expect(notPem[0]!.message).toContain("/state/ca.pem holds no PEM certificate");
    });

    it("reports every problem at once, in table order, one setting per line", () => {
      const problems = problemsOf({ KVGUARD_LOG_LEVEL: "loud", AZURE_CLIENT_ID: "x", KVGUARD_VAULT_URLS: "ftp://vault" });
      expect(problems.map((p) => p.setting)).toEqual(["KVGUARD_VAULT_URLS", "AZURE_CLIENT_ID", "AzureWebJobsStorage", "KVGUARD_LOG_LEVEL"]);
      for (const line of problems.map(formatProblem)) expect(line).not.toContain("\n");
    });
  });

  describe("unknown settings", () => {
    it.each([
      ["KVGUARD_VAULT_URL", "KVGUARD_VAULT_URLS"],
      ["KVGUARD_VAULTS", "KVGUARD_VAULT_URLS"],
      ["KVGUARD_LOGLEVEL", "KVGUARD_LOG_LEVEL"],
      ["KVGUARD_CA_FILE", "KVGUARD_LOCAL_CA_FILE"],
      ["kvguard_local_identity", "KVGUARD_LOCAL_IDENTITY"],
    ])("%s suggests %s", (typo, match) => {
      const problems = problemsOf({ ...AZURE_ENV, [typo]: "x" });
      expect(problems.map(formatProblem)).toEqual([`${typo}: unknown setting; did you mean ${match}? Rename it to ${match}, or remove it`]);
    });

    it("lists the known settings when nothing is close", () => {
      const [problem] = problemsOf({ ...AZURE_ENV, KVGUARD_ZEBRA_SAMPLING: "x" });
      expect(problem).toEqual({
        setting: "KVGUARD_ZEBRA_SAMPLING",
        message: expect.stringContaining("unknown setting. kvguard reads only KVGUARD_VAULT_URLS, KVGUARD_LOCAL_CA_FILE") as string,
      });
    });

    it("ignores settings of other tools (the environment has many)", () => {
      expect(loadConfig({ ...AZURE_ENV, WEBSITE_RUN_FROM_PACKAGE: "1", APPLICATIONINSIGHTS_CONNECTION_STRING: "x" }).ok).toBe(true);
    });
  });

  describe("secrets", () => {
    it("never shows a connection string's key, only its account name or length", () => {
      const broken = `${CONNECTION_STRING.replace("AccountName=kvguardstore;", "")};BlobEndpoint=`;
      const problems = problemsOf({ ...AZURE_ENV, AzureWebJobsStorage: broken });
      const text = problems.map(formatProblem).join("\n");
      expect(text).toContain(`(set, ${broken.length} chars)`);
      expect(text).not.toContain(ACCOUNT_KEY);
    });

    it("never shows a connection string pasted into another setting", () => {
      const problems = problemsOf({ ...AZURE_ENV, KVGUARD_VAULT_URLS: CONNECTION_STRING, FUNCTIONS_WORKER_RUNTIME: CONNECTION_STRING });
      const text = problems.map(formatProblem).join("\n");
      expect(problems.map((p) => p.setting)).toEqual(["KVGUARD_VAULT_URLS", "FUNCTIONS_WORKER_RUNTIME"]);
      expect(text).toContain("(AccountName=kvguardstore)");
      expect(text).not.toContain(ACCOUNT_KEY);
    });

    it("keeps no secret in the config it returns", () => {
      expect(JSON.stringify(loadConfig(AZURE_ENV))).not.toContain(ACCOUNT_KEY);
    });
  });
});

describe("settingsTable", () => {
  const row = (name: string) => settingsTable.find((r) => r.name === name);

  it("describes every setting of the schema, in schema order", () => {
    expect(settingsTable.map((r) => r.name)).toEqual(SETTING_NAMES);
    for (const r of settingsTable) expect(r.description.length).toBeGreaterThan(10);
  });

  it("says which settings are required and what defaults apply", () => {
    expect(settingsTable.filter((r) => r.required).map((r) => r.name)).toEqual([
      "KVGUARD_VAULT_URLS",
      "AzureWebJobsStorage",
      "AzureWebJobsStorage__accountName",
    ]);
    expect(row("AzureWebJobsStorage")?.requiredUnless).toBe("AzureWebJobsStorage__accountName");
    expect(row("AzureWebJobsStorage__accountName")?.requiredUnless).toBe("AzureWebJobsStorage");
    expect(row("KVGUARD_VAULT_URLS")?.requiredUnless).toBe("KVGUARD_DISCOVERY_TAG");
    expect(row("KVGUARD_LOG_LEVEL")?.default).toBe("info");
    expect(row("KVGUARD_LOCAL_IDENTITY")?.default).toContain(DEFAULT_LOCAL_IDENTITY);
  });

  it("marks the connection strings and webhook URLs secret and nothing else", () => {
    expect(settingsTable.filter((r) => r.secret).map((r) => r.name)).toEqual([
      "AzureWebJobsStorage",
      "KVGUARD_ALERT_TEAMS_WEBHOOKS",
      "KVGUARD_ALERT_SMTP_CONNECTION",
      "KVGUARD_ALERT_ACS_CONNECTION",
      "APPLICATIONINSIGHTS_CONNECTION_STRING",
    ]);
  });

  it("gives examples that the schema accepts", () => {
    const env: Record<string, string> = {};
    for (const r of settingsTable) if (r.example && r.name !== "AzureWebJobsStorage__accountName") env[r.name] = r.example;
    env.KVGUARD_VAULT_URLS = "https://127.0.0.1:8443"; // local, since the CA file example makes the vaults local
    // Events go to a custom topic or a namespace topic, not both: the namespace's examples are checked on their own.
    const namespace = {
      KVGUARD_EXPORT_NAMESPACE_ENDPOINT: env.KVGUARD_EXPORT_NAMESPACE_ENDPOINT!,
      KVGUARD_EXPORT_NAMESPACE_TOPIC: env.KVGUARD_EXPORT_NAMESPACE_TOPIC!,
    };
    delete env.KVGUARD_EXPORT_NAMESPACE_ENDPOINT;
    delete env.KVGUARD_EXPORT_NAMESPACE_TOPIC;
    const { KVGUARD_EXPORT_TOPIC_ENDPOINT: _topic, ...withoutTopic } = env;
    expect(loadConfig({ ...withoutTopic, ...namespace }, readCa).ok).toBe(true);
    expect(loadConfig(env, readCa).ok).toBe(true);
    expect(loadConfig({ ...AZURE_ENV, KVGUARD_VAULT_URLS: row("KVGUARD_VAULT_URLS")!.example }).ok).toBe(true);
  });
});

describe("named vaults", () => {
  it("takes name=url for a vault whose host does not name it (the local Key Vault)", () => {
    const result = loadConfig(
      {
        KVGUARD_VAULT_URLS: "demo=https://127.0.0.1:40311,https://prod.vault.azure.net",
        KVGUARD_LOCAL_CA_FILE: "/ca.pem",
        AzureWebJobsStorage: "UseDevelopmentStorage=true",
      },
      { readFile: () => "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n" },
    );
    expect(result.ok).toBe(false);
    const local = loadConfig(
      { KVGUARD_VAULT_URLS: "demo=https://127.0.0.1:40311", KVGUARD_LOCAL_CA_FILE: "/ca.pem", AzureWebJobsStorage: "UseDevelopmentStorage=true" },
      { readFile: () => "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n" },
    );
    expect(local.ok && local.config.vaults).toEqual([{ name: "demo", url: "https://127.0.0.1:40311" }]);
  });
});
