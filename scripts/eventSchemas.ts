/**
 * Writes the JSON Schema of every kvguard event type to `schemas/events/<file>.json` from its zod schema
 * (`npm run schemas:events`); test/export/schemas.test.ts fails when a committed file differs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EVENT_CATALOGUE, EVENT_TYPES, jsonSchemaOf } from "../src/export/events/catalogue.js";

const dir = join(import.meta.dirname, "..", "..", "schemas", "events");
mkdirSync(dir, { recursive: true });
for (const type of EVENT_TYPES) {
  writeFileSync(join(dir, `${EVENT_CATALOGUE[type].file}.json`), `${JSON.stringify(jsonSchemaOf(type), null, 2)}\n`);
}
console.log(`wrote ${EVENT_TYPES.length} schemas to ${dir}`);
