/** @module The built CLI as a child process: `kvguard start --once` (what `npm start` runs, played to its end) and `config check`. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("kvguard start (npm start)", () => {
  it("--once: brings up the stack, seeds the demo vault, shows each rotation with its trigger, never a secret value, and exits 0", async () => {
    const state = mkdtempSync(join(tmpdir(), "kvguard-start-"));
    const { code, stdout, stderr } = await runCli(["start", "--once", "--state", state, "--functions-port", "0", "--timeout", "40"], {
      ...process.env,
      KVGUARD_ROTATION_SCHEDULE: "*/2 * * * * *",
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/Local Key Vault "demo": https:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/Functions runner: http:\/\/127\.0\.0\.1:\d+/);
    for (const name of ["health", "rotationSweep", "rotationWorker", "rotationPoison", "onVaultEvent", "rotateNow"]) {
      expect(stdout).toMatch(new RegExp(`^ {4}${name} `, "m"));
    }
    expect(stdout).toMatch(/\[onVaultEvent\] answered Event Grid's subscription validation/);
    expect(stdout).toMatch(/^ {2}payments-db-password +seeded now/m);
    expect(stdout).toMatch(/^ROTATED +demo\/payments-db-password by (event|schedule): version [0-9a-f]{8} → [0-9a-f]{8}/m);
    expect(stdout).toMatch(/^ROTATED +demo\/api-token by manual: /m);
    expect(stdout).toMatch(/^ROTATED +demo\/api-token by (event|schedule): .*\(vault clock 20\d\d/m);
    expect(stdout).toMatch(/^ROTATED +demo\/orders-signing-key by schedule: /m);
    // A certificate Key Vault would let expire, renewed by kvguard once the clock jump brings it near expiry.
    expect(stdout).toMatch(/^ {2}certificate edge-tls +seeded now/m);
    expect(stdout).toMatch(
      /^RENEWED +demo\/edge-tls by (event|schedule): certificate near expiry; kvguard had Key Vault issue version [0-9a-f]{8} from its policy/m,
    );
    expect(stdout).toMatch(/^FAILED +demo\/legacy-db-password by schedule: policy: invalid rotation policy: kvguard-rotate-every/m);
    expect(stdout).toMatch(/1 without policy/);
    // The demos beside the vault's objects: audit findings, credentials proved at their targets, a report.
    expect(stdout).toMatch(/\[audit demo\] finding: high +impact_destructive_operation: .* ran SecretPurge/);
    expect(stdout).toMatch(/\[audit demo\] finding: medium credential_access_mass_retrieval: demo-build-agent/);
    expect(stdout).toMatch(/^ROTATED +demo\/demo-postgres-app by schedule: /m);
    expect(stdout).toMatch(/^postgres demo: demo_app logged in with the new password/m);
    expect(stdout).toMatch(/^ROTATED +demo\/demo-storage-connection by schedule: /m);
    expect(stdout).toMatch(/^ROTATED +demo\/demo-entra-app-secret by schedule: /m);
    expect(stdout).toMatch(/^entra demo: kvguard-demo-app got a token with version/m);
    expect(stdout).toMatch(/^compliance report: 1 vaults, \d+ results/m);
    // The demo's two certificates, judged for real: one meets every certificate check, the other fails most.
    expect(stdout).toMatch(/^ {2}certificate shop-tls +seeded now/m);
    const json = /^ {2}(\S+kvguard-compliance-\S+\.json)$/m.exec(stdout)![1]!;
    const report = JSON.parse(readFileSync(json, "utf8")) as { results: { objectName: string; checkId: string; outcome: string }[] };
    const certificateOutcomes = (name: string) =>
      Object.fromEntries(report.results.filter((r) => r.objectName === name && r.checkId.startsWith("certificate-")).map((r) => [r.checkId, r.outcome]));
    expect(certificateOutcomes("shop-tls")).toMatchObject({
      "certificate-integrated-ca": "pass",
      "certificate-renewal-action": "pass",
      "certificate-max-validity": "pass",
      "certificate-allowed-key-type": "pass",
      "certificate-expiring-soon": "pass",
    });
    expect(certificateOutcomes("legacy-tls")).toMatchObject({
      "certificate-integrated-ca": "fail",
      "certificate-renewal-action": "fail",
      "certificate-max-validity": "fail",
      "certificate-allowed-key-type": "fail",
      "certificate-ec-curve": "pass",
    });
    // The imported certificate nothing can renew: the sweep announces it (an expiry notice).
    expect(stdout).toMatch(/^ {2}certificate partner-tls +seeded now/m);
    expect(stdout).toMatch(/\[rotation\] expiry notice: demo\/certificates\/partner-tls expires in \d+ days and nothing will renew it/);
    // Alerts reach the local catchers; mail over STARTTLS, with the local CA's certificate.
    expect(stdout).toMatch(/^teams: /m);
    expect(stdout).toMatch(/^mail: \[kvguard \w+\] .* → secops@kvguard\.localhost → \S+\.eml \(STARTTLS\)$/m);
    expect(stdout).not.toMatch(/SMTP delivery failed/);
    expect(stdout).toMatch(/^ {2}\S+kvguard-compliance-\S+\.pdf$/m);
    expect(stdout).not.toMatch(/demo not started/);
    expect(stdout).toMatch(/^Done: \d+ rotations/m);
    expect(stdout).toMatch(/status page: \d+ planned in 30 days, \d+ problems: \S+status\.html$/m);
    // exportOut: kvguard's own events to the local topic's webhook, history and findings to the local tables.
    expect(stdout).toMatch(/^event: Kvguard\.Rotation\.Succeeded demo\/\S+ → \S+\.json$/m);
    expect(stdout).toMatch(/\[exportOut\] export loganalytics: [1-9]\d* sent/);
    expect(stdout).toContain(`npx kvguard history demo`);
    // Metrics and traces through the real exporter to the local cloud's Application Insights endpoint.
    expect(stdout).toMatch(/^Telemetry \(the Azure Monitor exporter's, received at https:\/\/127\.0\.0\.1:\d+\/v2\.1\/track;/m);
    expect(stdout).toMatch(/^ {2}kvguard\.rotations\{rotator=[\w-]+,outcome=rotated,trigger=\w+,kind=secret\} [1-9]\d*$/m);
    expect(stdout).toMatch(/^ {6}kvguard\.enqueue \([\w-]+\)\n(?: {8}.*\n)*? {8}kvguard\.rotation \([\w-]+\)$/m);

    // Every value the vault holds (rotated versions, pending credentials, the history HMAC key): none printed.
    const saved = JSON.parse(readFileSync(join(state, "state.json"), "utf8")) as {
      vaults: { secrets: { live: { name: string; versions: { value: string }[] }[] } }[];
    };
    const values = saved.vaults[0]!.secrets.live.flatMap((e) => e.versions.map((v) => v.value));
    expect(values.length).toBeGreaterThan(8);
    for (const value of values) {
      expect(value.length).toBeGreaterThan(8);
      expect(stdout).not.toContain(value);
      expect(stderr).not.toContain(value);
    }
    // The CLI reads this stack's settings from the env file it wrote.
    expect(readFileSync(join(state, "kvguard.env"), "utf8")).toMatch(/^export KVGUARD_VAULT_URLS='demo=https:\/\/127\.0\.0\.1:\d+'$/m);
    expect(readFileSync(join(state, "kvguard.env"), "utf8")).toMatch(
      /^export APPLICATIONINSIGHTS_CONNECTION_STRING='InstrumentationKey=[0-9a-f-]{36};IngestionEndpoint=https:\/\/127\.0\.0\.1:\d+\/'$/m,
    );
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
