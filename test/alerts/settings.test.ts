/** @module Alert settings: rules parsed into the typed config, and every malformed value a problem naming its setting and place. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, settingsTable, type ConfigProblem } from "../../src/config/schema.js";
import { settingSecrets } from "../../src/alerts/alerting.js";
import { channelsFor, digestDue, inQuietHours } from "../../src/alerts/routing.js";
import { parseRules } from "../../src/config/alertRules.js";
import { sampleAlert } from "../../src/alerts/samples.js";

const BASE = { KVGUARD_VAULT_URLS: "https://payments-prod.vault.azure.net", AzureWebJobsStorage: "UseDevelopmentStorage=true" };
const HOOK = "https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=c2lnbmF0dXJlLXNlY3JldA";
const RULES = {
  channels: { secops: { type: "teams", quietHours: "22:00-07:00", urgent: "critical" }, oncall: { type: "smtp", to: ["oncall@contoso.com"] } },
  routes: [
    { kinds: ["rotation-failed"], channels: ["oncall", "secops"] },
    { kinds: ["finding"], minSeverity: "high", channels: ["secops"] },
  ],
  dedupWindow: "PT6H",
};
const FULL = {
  ...BASE,
  KVGUARD_ALERT_RULES: JSON.stringify(RULES),
  KVGUARD_ALERT_TEAMS_WEBHOOKS: `secops=${HOOK}`,
  KVGUARD_ALERT_SMTP_CONNECTION: "smtps://alerts%40contoso.com:pw-123456@smtp.office365.com:465",
  KVGUARD_ALERT_FROM: "DoNotReply@contoso.com",
};

function problems(env: Record<string, string | undefined>): ConfigProblem[] {
  const result = loadConfig(env);
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("alert settings", () => {
  it("gives the rules, sender and schedule in the typed config, and no connection secret", () => {
    const result = loadConfig(FULL);
    expect(result.ok && result.config.alerts).toEqual({
      schedule: "0 */5 * * * *",
      from: "DoNotReply@contoso.com",
      rules: {
        channels: {
          secops: { type: "teams", quietHours: "22:00-07:00", urgent: "critical", rateLimit: { max: 10, perMinutes: 60 } },
          oncall: { type: "smtp", to: ["oncall@contoso.com"], rateLimit: { max: 10, perMinutes: 60 } },
        },
        routes: RULES.routes,
        dedupWindow: 6 * 3600_000,
      },
    });
    const text = JSON.stringify(result.ok && result.config);
    for (const secret of ["sig=", "pw-123456"]) expect(text).not.toContain(secret);
  });

  it("reads the rules from a YAML file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvguard-alerts-"));
    const file = join(dir, "alerts.yaml");
    writeFileSync(file, "channels:\n  secops: { type: teams }\nroutes:\n  - kinds: [finding]\n    channels: [secops]\n");
    const result = loadConfig({ ...BASE, KVGUARD_ALERT_RULES: file, KVGUARD_ALERT_TEAMS_WEBHOOKS: `secops=${HOOK}` });
    expect(result.ok && result.config.alerts.rules?.routes).toEqual([{ kinds: ["finding"], channels: ["secops"] }]);
  });

  it("marks the connection settings secret", () => {
    const secret = Object.fromEntries(settingsTable.filter((s) => s.name.startsWith("KVGUARD_ALERT_")).map((s) => [s.name, s.secret]));
    expect(secret).toEqual({
      KVGUARD_ALERT_RULES: false,
      KVGUARD_ALERT_TEAMS_WEBHOOKS: true,
      KVGUARD_ALERT_SMTP_CONNECTION: true,
      KVGUARD_ALERT_SMTP_STARTTLS: false,
      KVGUARD_ALERT_ACS_CONNECTION: true,
      KVGUARD_ALERT_FROM: false,
      KVGUARD_ALERT_SCHEDULE: false,
    });
  });

  const cases: { name: string; env: Record<string, string>; setting: string; says: string }[] = [
    { name: "rules that are not JSON", env: { KVGUARD_ALERT_RULES: "{channels:" }, setting: "KVGUARD_ALERT_RULES", says: "is not JSON" },
    {
      name: "a rules file that does not exist",
      env: { KVGUARD_ALERT_RULES: "/nowhere/alerts.yaml" },
      setting: "KVGUARD_ALERT_RULES",
      says: "the file /nowhere/alerts.yaml does not exist",
    },
    {
      name: "a route naming an unknown channel",
      env: {
        KVGUARD_ALERT_RULES: JSON.stringify({ channels: { secops: { type: "teams" } }, routes: [{ channels: ["secops", "pager"] }] }),
        KVGUARD_ALERT_TEAMS_WEBHOOKS: `secops=${HOOK}`,
      },
      setting: "KVGUARD_ALERT_RULES",
      says: 'at routes[0].channels[1]: "pager" is not a channel. Use one of: secops',
    },
    {
      name: "an unknown event kind",
      env: { KVGUARD_ALERT_RULES: JSON.stringify({ channels: { secops: { type: "teams" } }, routes: [{ kinds: ["rotation-fail"], channels: ["secops"] }] }) },
      setting: "KVGUARD_ALERT_RULES",
      says: "at routes[0].kinds[0]: is not an alert kind. Use one of finding, rotation-failed",
    },
    {
      name: "bad quiet hours",
      env: { KVGUARD_ALERT_RULES: JSON.stringify({ channels: { secops: { type: "teams", quietHours: "10pm-7am" } }, routes: [{ channels: ["secops"] }] }) },
      setting: "KVGUARD_ALERT_RULES",
      says: "at channels.secops.quietHours: is not a time range. Write it HH:MM-HH:MM",
    },
    {
      name: "a mail channel without recipients",
      env: { KVGUARD_ALERT_RULES: JSON.stringify({ channels: { oncall: { type: "smtp" } }, routes: [{ channels: ["oncall"] }] }) },
      setting: "KVGUARD_ALERT_RULES",
      says: "at channels.oncall.to: is missing: an smtp channel needs recipients",
    },
    {
      name: "an unknown field",
      env: { KVGUARD_ALERT_RULES: JSON.stringify({ channels: {}, routes: [{ channels: [] }], quiet: "x" }) },
      setting: "KVGUARD_ALERT_RULES",
      says: 'unknown field "quiet"; remove it or check its spelling',
    },
    {
      name: "a teams channel without its webhook",
      env: { KVGUARD_ALERT_RULES: JSON.stringify({ channels: { secops: { type: "teams" } }, routes: [{ channels: ["secops"] }] }) },
      setting: "KVGUARD_ALERT_TEAMS_WEBHOOKS",
      says: "has no webhook for teams channel secops",
    },
    {
      name: "an http webhook elsewhere than this machine",
      env: { KVGUARD_ALERT_TEAMS_WEBHOOKS: "secops=http://example.com/hook" },
      setting: "KVGUARD_ALERT_TEAMS_WEBHOOKS",
      says: "is not https",
    },
    {
      name: "an SMTP setting that is not a URL",
      env: { KVGUARD_ALERT_SMTP_CONNECTION: "smtp.office365.com:587" },
      setting: "KVGUARD_ALERT_SMTP_CONNECTION",
      says: "is not an SMTP URL",
    },
    {
      name: "an SMTP URL with transport options in its query",
      env: { KVGUARD_ALERT_SMTP_CONNECTION: "smtp://relay.contoso.com:587?ignoreTLS=true" },
      setting: "KVGUARD_ALERT_SMTP_CONNECTION",
      says: "has a path or query (?…); kvguard reads only the scheme, login, host and port. Remove it; TLS is set by the scheme and KVGUARD_ALERT_SMTP_STARTTLS",
    },
    {
      name: "STARTTLS neither required nor optional",
      env: { KVGUARD_ALERT_SMTP_STARTTLS: "off" },
      setting: "KVGUARD_ALERT_SMTP_STARTTLS",
      says: "must be required or optional",
    },
    {
      name: "an ACS setting without endpoint",
      env: { KVGUARD_ALERT_ACS_CONNECTION: "accesskey=abc" },
      setting: "KVGUARD_ALERT_ACS_CONNECTION",
      says: "is not an ACS connection string",
    },
    {
      name: "mail without a sender",
      env: {
        KVGUARD_ALERT_RULES: JSON.stringify({ channels: { oncall: { type: "acs", to: ["a@contoso.com"] } }, routes: [{ channels: ["oncall"] }] }),
        KVGUARD_ALERT_ACS_CONNECTION: "https://x.communication.azure.com",
      },
      setting: "KVGUARD_ALERT_FROM",
      says: "is not set, but channel oncall sends mail",
    },
  ];
  it.each(cases)("$name → a problem for $setting", ({ env, setting, says }) => {
    const found = problems({ ...BASE, ...env });
    expect(found.filter((p) => p.setting === setting).map((p) => p.message)).toContainEqual(expect.stringContaining(says));
    // The ACS key or webhook signature never shows in a problem.
    expect(JSON.stringify(found)).not.toContain("c2lnbmF0dXJlLXNlY3JldA");
  });
});

describe("settingSecrets", () => {
  it("hands the secret guard every secret setting and the credential inside it, not Azurite's well-known setting", () => {
    const secrets = settingSecrets({
      ...FULL,
      KVGUARD_ALERT_ACS_CONNECTION: "endpoint=https://x.communication.azure.com/;accesskey=a2V5LXZhbHVl",
      PATH: "/usr/bin",
    });
    expect(secrets).toEqual(
      expect.arrayContaining([`secops=${HOOK}`, "c2lnbmF0dXJlLXNlY3JldA", FULL.KVGUARD_ALERT_SMTP_CONNECTION, "pw-123456", "a2V5LXZhbHVl"]),
    );
    expect(secrets).not.toContain("UseDevelopmentStorage=true");
    expect(secrets).not.toContain("/usr/bin");
  });
});

describe("routing rules", () => {
  const rules = (() => {
    const parsed = parseRules(RULES);
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    return parsed.rules;
  })();

  it("collects the channels of every matching route, each once", () => {
    expect(channelsFor(rules, sampleAlert("rotation-failed"))).toEqual(["oncall", "secops"]);
    expect(channelsFor(rules, { ...sampleAlert("finding"), severity: "medium" })).toEqual([]);
    expect(channelsFor(rules, sampleAlert("report-ready"))).toEqual([]);
  });

  it("tells quiet hours across midnight, and when a daily digest is due", () => {
    const channel = rules.channels.secops!;
    expect(inQuietHours(channel, Date.UTC(2026, 0, 1, 23, 30))).toBe(true);
    expect(inQuietHours(channel, Date.UTC(2026, 0, 1, 6, 59))).toBe(true);
    expect(inQuietHours(channel, Date.UTC(2026, 0, 1, 7, 0))).toBe(false);
    expect(digestDue("08:00", Date.UTC(2026, 0, 1, 9), Date.UTC(2026, 0, 2, 7, 59))).toBe(false);
    expect(digestDue("08:00", Date.UTC(2026, 0, 1, 9), Date.UTC(2026, 0, 2, 8, 0))).toBe(true);
    expect(digestDue("08:00", Date.UTC(2026, 0, 1, 7), Date.UTC(2026, 0, 1, 8, 1))).toBe(true);
  });
});
