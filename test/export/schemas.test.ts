/**
 * The committed JSON Schemas of the event types (`schemas/events/*.json`, from `npm run schemas:events`) are
 * what the zod schemas generate, one file per type and no other; docs/export.md names every type.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVENT_CATALOGUE, EVENT_TYPES, jsonSchemaOf } from "../../src/export/events/catalogue.js";

const dir = new URL("../../schemas/events/", import.meta.url);

describe("event schemas", () => {
  it("has one committed JSON Schema per event type, equal to what its zod schema generates", () => {
    expect(readdirSync(dir).sort()).toEqual(EVENT_TYPES.map((t) => `${EVENT_CATALOGUE[t].file}.json`).sort());
    for (const type of EVENT_TYPES) {
      const committed: unknown = JSON.parse(readFileSync(new URL(`${EVENT_CATALOGUE[type].file}.json`, dir), "utf8"));
      expect(committed, `${type}: run npm run schemas:events`).toEqual(jsonSchemaOf(type));
    }
  });

  it("documents every event type and its schema file in docs/export.md", () => {
    const doc = readFileSync(new URL("../../docs/export.md", import.meta.url), "utf8");
    for (const type of EVENT_TYPES) {
      expect(doc).toContain(`\`${type}\``);
      expect(doc).toContain(`schemas/events/${EVENT_CATALOGUE[type].file}.json`);
    }
  });
});
