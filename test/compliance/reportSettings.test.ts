/** @module The report settings through `loadConfig`: defaults, values, and each bad value's problem naming the setting and the fix. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/schema.js";

const BASE = { KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net", AzureWebJobsStorage: "UseDevelopmentStorage=true" };

describe("report settings", () => {
  it("default to every format and framework, the kvguard-reports container and 12 snapshots", () => {
    const result = loadConfig(BASE);
    expect(result.ok && result.config.report).toEqual({ container: "kvguard-reports", formats: ["html", "csv", "json", "pdf"], frameworks: [], history: 12 });
  });

  it("take formats, frameworks, a container and a history length", () => {
    const result = loadConfig({
      ...BASE,
      KVGUARD_REPORT_FORMATS: "PDF, html,pdf",
      KVGUARD_REPORT_FRAMEWORKS: "pci,cis",
      KVGUARD_REPORT_CONTAINER: "audit-2026",
      KVGUARD_REPORT_HISTORY: "0",
      KVGUARD_REPORT_SCHEDULE: "0 0 7 * * 1",
    });
    expect(result.ok && result.config.report).toEqual({ container: "audit-2026", formats: ["pdf", "html"], frameworks: ["pci", "cis"], history: 0 });
  });

  it("name each bad value and its fix", () => {
    const result = loadConfig({
      ...BASE,
      KVGUARD_REPORT_SCHEDULE: "monthly",
      KVGUARD_REPORT_CONTAINER: "Reports_",
      KVGUARD_REPORT_FORMATS: "html,docx",
      KVGUARD_REPORT_FRAMEWORKS: "sox",
      KVGUARD_REPORT_HISTORY: "-1",
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual([
      { setting: "KVGUARD_REPORT_SCHEDULE", message: expect.stringContaining("is not an NCRONTAB schedule") as string },
      { setting: "KVGUARD_REPORT_CONTAINER", message: expect.stringContaining("Set it to something like kvguard-reports") as string },
      {
        setting: "KVGUARD_REPORT_FORMATS",
        message: '"html,docx" is not a list of report formats (docx unknown). Use one or more of html, csv, json, pdf, comma-separated',
      },
      {
        setting: "KVGUARD_REPORT_FRAMEWORKS",
        message: '"sox" is not a framework. Use one or more of azure-policy, cis, mcsb, pci, nist-800-57, iso-27001, comma-separated',
      },
      { setting: "KVGUARD_REPORT_HISTORY", message: "must be 0 or more. Set it to a whole number such as 12" },
    ]);
  });
});
