/** KVGUARD_EXPIRY_NOTICE_DAYS through loadConfig: stages sorted most distant first, a bad list named with its fix. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/schema.js";

const BASE = { KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net", AzureWebJobsStorage__accountName: "kvguardstate" };

describe("KVGUARD_EXPIRY_NOTICE_DAYS", () => {
  it("defaults to 30, 14, 7 and 1 days and takes any list, most distant first, each stage once", () => {
    const stages = (value?: string) => {
      const result = loadConfig({ ...BASE, ...(value === undefined ? {} : { KVGUARD_EXPIRY_NOTICE_DAYS: value }) });
      return result.ok ? result.config.notices.stageDays : result.problems;
    };
    expect(stages()).toEqual([30, 14, 7, 1]);
    expect(stages("7, 60,30,7")).toEqual([60, 30, 7]);
  });

  it("names a stage that is not a whole number of days and says how to write the list", () => {
    for (const bad of ["30,two", "0", "14,-1", "1.5", ","]) {
      const result = loadConfig({ ...BASE, KVGUARD_EXPIRY_NOTICE_DAYS: bad });
      expect(result.ok, bad).toBe(false);
      const problem = !result.ok ? result.problems.find((p) => p.setting === "KVGUARD_EXPIRY_NOTICE_DAYS") : undefined;
      expect(problem?.message, bad).toMatch(/comma-separated, such as 30,14,7,1$/);
    }
  });
});
