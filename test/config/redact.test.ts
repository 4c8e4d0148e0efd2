/** @module Which names and values count as secret, and how output is scrubbed of them. */
import { describe, expect, it } from "vitest";
import { describeSecret, isSecretName, scrubSecrets } from "../../src/config/redact.js";

const KEY = "c3VwZXItc2VjcmV0LWFjY291bnQta2V5LXZhbHVlLTEyMzQ1Njc4OTA=";

describe("isSecretName", () => {
  it.each(["AzureWebJobsStorage", "APPLICATIONINSIGHTS_CONNECTION_STRING", "DB_PASSWORD", "API_KEY", "GITHUB_TOKEN"])("%s is secret", (name) => {
    expect(isSecretName(name)).toBe(true);
  });
  it.each(["KVGUARD_VAULT_URLS", "AZURE_CLIENT_ID", "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__clientId", "FUNCTIONS_WORKER_RUNTIME"])(
    "%s is not",
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );
});

describe("describeSecret", () => {
  it("shows only the account name, else the length", () => {
    expect(describeSecret(`AccountName=store1;AccountKey=${KEY}`)).toBe("(AccountName=store1)");
    expect(describeSecret("hunter2hunter2")).toBe("(set, 14 chars)");
  });
});

describe("scrubSecrets", () => {
  it("replaces secret values and masks credential parts wherever they appear", () => {
    const env = { AZURE_CLIENT_SECRET: "hunter2hunter2", PLAIN: `AccountName=a;AccountKey=${KEY}`, PATH: "/usr/bin" };
    const text = scrubSecrets(`pw hunter2hunter2, cs AccountName=a;AccountKey=${KEY}, sas ?sv=1&sig=abcdef123 path /usr/bin`, env);
    expect(text).toBe("pw (set, 14 chars), cs (AccountName=a), sas ?sv=1&sig=*** path /usr/bin");
  });

  it("leaves variables that are not settings alone, even when their names look secret (PWD)", () => {
    const env = { PWD: "/home/someone/project", GPG_KEY: "ABCDEF0123456789" };
    const text = "CA file /home/someone/project/.kvguard/ca.pem";
    expect(scrubSecrets(text, env)).toBe(text);
  });

  it("leaves placeholders in hints and Azurite's well-known setting alone", () => {
    const env = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
    const hint = "Set it to UseDevelopmentStorage=true or AccountName=<account>;AccountKey=<key>";
    expect(scrubSecrets(hint, env)).toBe(hint);
  });
});
