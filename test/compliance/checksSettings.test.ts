/** @module The compliance settings: defaults (the local cloud's subscription when local), and bad values named with their fix. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/schema.js";

const base = { KVGUARD_VAULT_URLS: "https://prod.vault.azure.net", AzureWebJobsStorage: "UseDevelopmentStorage=true" };
const local = { KVGUARD_VAULT_URLS: "demo=https://127.0.0.1:40311", AzureWebJobsStorage: "UseDevelopmentStorage=true", KVGUARD_LOCAL_CA_FILE: "ca.pem" };
const readFile = () => "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("compliance settings", () => {
  it("defaults to the cited thresholds, and to no subscription in Azure", () => {
    const result = loadConfig(base);
    expect(result.ok && result.config.compliance).toEqual({
      subscriptionIds: [],
      expiryWarningDays: 30,
      maxValidityDays: 730,
      maxActiveDays: 730,
      cryptoperiodDays: 365,
      minRsaKeySize: 2048,
      certMaxValidityMonths: 12,
      logRetentionDays: 365,
      maxCustodians: 3,
    });
  });

  it("searches the local cloud's subscription when the vaults are local, and the listed ones otherwise", () => {
    const result = loadConfig(local, { readFile });
    expect(result.ok && result.config.compliance.subscriptionIds).toEqual(["00000000-0000-0000-0000-000000000000"]);
    const listed = loadConfig({ ...base, KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS: "11111111-2222-3333-4444-555555555555, AAAAAAAA-2222-3333-4444-555555555555" });
    expect(listed.ok && listed.config.compliance.subscriptionIds).toEqual(["11111111-2222-3333-4444-555555555555", "aaaaaaaa-2222-3333-4444-555555555555"]);
  });

  it("names each bad value and its fix", () => {
    const result = loadConfig({
      ...base,
      KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS: "prod",
      KVGUARD_COMPLIANCE_MIN_RSA_BITS: "1024",
      KVGUARD_COMPLIANCE_CRYPTOPERIOD_DAYS: "0",
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((p) => `${p.setting}: ${p.message}`);
    expect(problems).toEqual([
      'KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS: "prod" is not a subscription id. Set it to comma-separated subscription GUIDs such as 00000000-0000-0000-0000-000000000000',
      "KVGUARD_COMPLIANCE_CRYPTOPERIOD_DAYS: must be at least 1. Set it to a whole number such as 365",
      "KVGUARD_COMPLIANCE_MIN_RSA_BITS: is not a key size Key Vault makes. Set it to 2048, 3072 or 4096",
    ]);
  });
});
