/**
 * @module Telemetry's wiring: only the composition root imports OpenTelemetry (domains see the port), the
 * settings turn it on and off, and docs/telemetry.md lists every metric with its attribute keys.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app/index.js";
import { loadConfig } from "../../src/config/schema.js";
import { METRICS } from "../../src/telemetry/metrics.js";
import { noTelemetry } from "../../src/telemetry/port.js";

const ROOT = join(import.meta.dirname, "..", "..");
const AZURE_ENV = { KVGUARD_VAULT_URLS: "https://kvguard-test.vault.azure.net", AzureWebJobsStorage__accountName: "kvguardstore" };
const CONNECTION = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/";

describe("telemetry's wiring", () => {
  it("only src/app/telemetry.ts imports OpenTelemetry and the Azure Monitor exporter", () => {
    const files = readdirSync(join(ROOT, "src"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".ts"));
    const importers = files
      .filter((e) =>
        /from\s+"@(opentelemetry\/|azure\/monitor-opentelemetry-exporter|azure\/opentelemetry-instrumentation)/.test(
          readFileSync(join(e.parentPath, e.name), "utf8"),
        ),
      )
      .map((e) => join(e.parentPath, e.name).slice(ROOT.length + 1));
    expect(importers).toEqual(["src/app/telemetry.ts"]);
  });

  it("is on with the connection string, off by KVGUARD_TELEMETRY, and azure-monitor needs the connection string", () => {
    const mode = (env: Record<string, string>) => {
      const result = loadConfig({ ...AZURE_ENV, ...env });
      return result.ok ? result.config.telemetry.mode : result.problems;
    };
    expect(mode({})).toBe("off");
    expect(mode({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION })).toBe("azure-monitor");
    expect(mode({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION, KVGUARD_TELEMETRY: "off" })).toBe("off");
    const problem = (text: string) => [{ setting: "KVGUARD_TELEMETRY", message: expect.stringContaining(text) as unknown }];
    expect(mode({ KVGUARD_TELEMETRY: "azure-monitor" })).toEqual(problem("APPLICATIONINSIGHTS_CONNECTION_STRING"));
    expect(mode({ KVGUARD_TELEMETRY: "console" })).toEqual(problem("off or azure-monitor"));
  });

  it("hands out the no-op port when telemetry is off", async () => {
    const app = createApp(AZURE_ENV);
    expect(await app.telemetry()).toBe(noTelemetry);
    await app.close();
  });

  it("docs/telemetry.md lists every metric with its instrument and attribute keys", () => {
    const doc = readFileSync(join(ROOT, "docs/telemetry.md"), "utf8");
    const rows = new Map(
      [...doc.matchAll(/^\| `(kvguard\.[a-z_.]+)` \| (\w+) \| [^|]+ \| ([^|]*) \|/gm)].map((m) => [
        m[1]!,
        { instrument: m[2], attributes: [...m[3]!.matchAll(/`(\w+)`/g)].map((a) => a[1]) },
      ]),
    );
    expect([...rows.keys()]).toEqual(Object.keys(METRICS));
    for (const [name, definition] of Object.entries(METRICS)) {
      expect(rows.get(name), name).toEqual({ instrument: definition.instrument, attributes: [...definition.attributes] });
    }
  });
});
