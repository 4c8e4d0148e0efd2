import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { settingsTable } from "../src/config/schema.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const settingsDoc = readFileSync(new URL("../docs/settings.md", import.meta.url), "utf8");

describe("README and docs", () => {
  it("documents every setting of the config schema, and no other", () => {
    const documented = [...settingsDoc.matchAll(/^\| `([A-Za-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(settingsTable.map((s) => s.name));
  });

  it("shows the two commands", () => {
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
  });
});
