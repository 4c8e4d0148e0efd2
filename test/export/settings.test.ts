/** The export's settings through `loadConfig`: each destination turned on by its settings, each mistake named with its fix. */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/schema.js";

const BASE = { KVGUARD_VAULT_URLS: "https://myvault.vault.azure.net", AzureWebJobsStorage__accountName: "kvguardstore" };
const DCE = "https://kvguard-dce-abcd.westeurope-1.ingest.monitor.azure.com/";
const DCR = "dcr-0123456789abcdef0123456789abcdef";

function problems(env: Record<string, string>): string[] {
  const result = loadConfig({ ...BASE, ...env });
  return result.ok ? [] : result.problems.map((p) => `${p.setting}: ${p.message}`);
}

describe("export settings", () => {
  it("turns on each destination with its settings, streams defaulting to the tables' own", () => {
    const result = loadConfig({
      ...BASE,
      KVGUARD_EXPORT_TOPIC_ENDPOINT: "https://kvguard-events.westeurope-1.eventgrid.azure.net/api/events",
      KVGUARD_EXPORT_DCE_ENDPOINT: DCE,
      KVGUARD_EXPORT_DCR_ID: DCR,
    });
    expect(result.ok && result.config.export).toEqual({
      events: { kind: "topic", endpoint: "https://kvguard-events.westeurope-1.eventgrid.azure.net/api/events" },
      logs: { endpoint: DCE.replace(/\/$/, ""), ruleId: DCR, streams: { rotation: "Custom-KvguardRotation", findings: "Custom-KvguardFindings" } },
    });
    const namespace = loadConfig({
      ...BASE,
      KVGUARD_EXPORT_NAMESPACE_ENDPOINT: "https://kvguard-ns.westeurope-1.eventgrid.azure.net/",
      KVGUARD_EXPORT_NAMESPACE_TOPIC: "kvguard-events",
    });
    expect(namespace.ok && namespace.config.export).toEqual({
      events: { kind: "namespace", endpoint: "https://kvguard-ns.westeurope-1.eventgrid.azure.net", topic: "kvguard-events" },
    });
    const off = loadConfig(BASE);
    expect(off.ok && off.config.export).toEqual({});
  });

  it("names what is wrong and how to fix it", () => {
    expect(problems({ KVGUARD_EXPORT_DCE_ENDPOINT: DCE })).toEqual([
      "KVGUARD_EXPORT_DCR_ID: is not set, but KVGUARD_EXPORT_DCE_ENDPOINT is. Ingestion needs both: set it to the data collection rule's immutable id, or remove KVGUARD_EXPORT_DCE_ENDPOINT",
    ]);
    expect(problems({ KVGUARD_EXPORT_DCR_ID: DCR })[0]).toMatch(/^KVGUARD_EXPORT_DCE_ENDPOINT: is not set, but KVGUARD_EXPORT_DCR_ID is/);
    expect(problems({ KVGUARD_EXPORT_DCE_ENDPOINT: DCE, KVGUARD_EXPORT_DCR_ID: "kvguard-dcr" })).toEqual([
      "KVGUARD_EXPORT_DCR_ID: is not a data collection rule's immutable id. Set it to the rule's immutableId, such as dcr-00000000000000000000000000000000",
    ]);
    expect(problems({ KVGUARD_EXPORT_TOPIC_ENDPOINT: "http://kvguard-events.westeurope-1.eventgrid.azure.net/api/events" })[0]).toMatch(
      /^KVGUARD_EXPORT_TOPIC_ENDPOINT: is not an https URL/,
    );
    const NS = "https://kvguard-ns.westeurope-1.eventgrid.azure.net";
    expect(problems({ KVGUARD_EXPORT_NAMESPACE_ENDPOINT: NS })).toEqual([
      "KVGUARD_EXPORT_NAMESPACE_TOPIC: is not set, but KVGUARD_EXPORT_NAMESPACE_ENDPOINT is. A namespace needs both: set it to the namespace topic's name, or remove KVGUARD_EXPORT_NAMESPACE_ENDPOINT",
    ]);
    expect(problems({ KVGUARD_EXPORT_NAMESPACE_TOPIC: "kvguard-events" })[0]).toMatch(
      /^KVGUARD_EXPORT_NAMESPACE_ENDPOINT: is not set, but KVGUARD_EXPORT_NAMESPACE_TOPIC is/,
    );
    expect(problems({ KVGUARD_EXPORT_NAMESPACE_ENDPOINT: NS, KVGUARD_EXPORT_NAMESPACE_TOPIC: "kvguard events" })[0]).toMatch(
      /^KVGUARD_EXPORT_NAMESPACE_TOPIC: is not a namespace topic name/,
    );
    expect(
      problems({
        KVGUARD_EXPORT_NAMESPACE_ENDPOINT: NS,
        KVGUARD_EXPORT_NAMESPACE_TOPIC: "kvguard-events",
        KVGUARD_EXPORT_TOPIC_ENDPOINT: "https://kvguard-events.westeurope-1.eventgrid.azure.net/api/events",
      }),
    ).toEqual([
      "KVGUARD_EXPORT_NAMESPACE_ENDPOINT: is set, and so is KVGUARD_EXPORT_TOPIC_ENDPOINT. kvguard publishes its events to one topic: keep the namespace settings or the custom topic's, not both",
    ]);
    expect(problems({ KVGUARD_EXPORT_ROTATION_STREAM: "KvguardRotation" })[0]).toMatch(
      /^KVGUARD_EXPORT_ROTATION_STREAM: is not a custom stream name. Set it to the rule's stream, such as Custom-KvguardRotation/,
    );
    expect(problems({ KVGUARD_EXPORT_SCHEDULE: "every 5 minutes" })[0]).toMatch(/^KVGUARD_EXPORT_SCHEDULE: "every 5 minutes" is not an NCRONTAB schedule/);
  });
});
