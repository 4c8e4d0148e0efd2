/** A fresh alert state table in a started Azurite per test, and a clock the test moves. */
import { TableClient } from "@azure/data-tables";
import type { RunningAzurite } from "../../../emulator/azurite.js";

let tables = 0;

export async function freshTable(azurite: RunningAzurite): Promise<TableClient> {
  const table = TableClient.fromConnectionString(azurite.connectionString, `alerts${Date.now() % 1_000_000}n${++tables}`, { allowInsecureConnection: true });
  await table.createTable();
  return table;
}

export class TestClock {
  constructor(public ms: number) {}
  nowMs(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
