/**
 * The export's Bicep against the code: the data collection rule declares exactly the streams and columns
 * kvguard sends (src/export/tables.ts), its tables are those columns, and each stream flows to its table;
 * the settings the export outputs are the ones the app reads. (Roles: leastPrivilege.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { EXPORT_TABLES, streamOf } from "../../src/export/tables.js";
import { readSource } from "./bicepSource.js";

const logs = readSource("infra/modules/exportLogs.bicep");
const main = readSource("infra/main.bicep");

function columnsOf(name: string): { name: string; type: string }[] {
  const start = logs.code.indexOf(`var ${name} = [`);
  expect(start, `var ${name}`).toBeGreaterThanOrEqual(0);
  const block = logs.code.slice(start, logs.code.indexOf("\n]", start));
  return [...block.matchAll(/\{ name: '([^']+)', type: '([^']+)' \}/g)].map((m) => ({ name: m[1]!, type: m[2]! }));
}

describe("the export's data collection rule", () => {
  it("declares each table's stream with the columns kvguard sends, flowing to that table", () => {
    const streams = [...logs.code.matchAll(/\{ table: '([^']+)', stream: '([^']+)', columns: (\w+) \}/g)].map((m) => ({
      table: m[1]!,
      stream: m[2]!,
      columns: columnsOf(m[3]!),
    }));
    expect(streams).toEqual(EXPORT_TABLES.map((t) => ({ table: t.table, stream: streamOf(t), columns: t.columns.map(({ name, type }) => ({ name, type })) })));
    expect(logs.code).toMatch(/streamDeclarations: toObject\(streams, s => s\.stream, s => \{ columns: s\.columns \}\)/);
    expect(logs.code).toMatch(/streams: \[s\.stream\]\s+destinations: \['workspace'\]\s+transformKql: 'source'\s+outputStream: 'Custom-\$\{s\.table\}'/);
    expect(logs.code).toMatch(/schema: \{\s+name: s\.table\s+columns: s\.columns\s+\}/);
  });

  it("outputs the settings the export reads, empty when that destination is off", () => {
    expect(main.code).toMatch(/^output KVGUARD_EXPORT_TOPIC_ENDPOINT string = exportEvents \? exportTopic!\.outputs\.endpoint : ''$/m);
    expect(main.code).toMatch(/^output KVGUARD_EXPORT_NAMESPACE_ENDPOINT string = exportEvents \? exportTopic!\.outputs\.namespaceEndpoint : ''$/m);
    expect(main.code).toMatch(/^output KVGUARD_EXPORT_NAMESPACE_TOPIC string = exportEvents \? exportTopic!\.outputs\.namespaceTopicName : ''$/m);
    expect(main.code).toMatch(/^output KVGUARD_EXPORT_DCE_ENDPOINT string = exportLogs \? exportRule!\.outputs\.endpoint : ''$/m);
    expect(main.code).toMatch(/^output KVGUARD_EXPORT_DCR_ID string = exportLogs \? exportRule!\.outputs\.ruleId : ''$/m);
  });
});
