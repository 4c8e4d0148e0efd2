import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { settingsTable } from "../src/config/schema.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("documents every setting of the config schema, and no other", () => {
    const section = readme.slice(readme.indexOf("## Settings"), readme.indexOf("## Architecture"));
    const documented = [...section.matchAll(/^\| `([A-Za-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented).toEqual(settingsTable.map((s) => s.name));
  });

  it("shows the two commands", () => {
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
  });
});
