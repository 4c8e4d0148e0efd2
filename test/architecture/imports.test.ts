/**
 * @module The wiring read from the imports: config/ imports no domain, the settings are loaded at one call
 * site (the app), and no domain builds its own clients or reads the environment: the app hands them over.
 * The product's boundaries (no emulator/, dev/ or devDependency) are eslint's (`npm run lint`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

function sources(dir: string): { path: string; text: string }[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => {
      const full = join(e.parentPath, e.name);
      return { path: relative(ROOT, full), text: readFileSync(full, "utf8") };
    });
}

/** The project files a file imports (static or dynamic), as paths from the root. */
function imports(file: { path: string; text: string }): string[] {
  const specifiers = [...file.text.matchAll(/(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(ROOT, join(ROOT, file.path, "..", s)));
}

const DOMAINS = ["rotation", "rotators", "audit", "alerts", "compliance", "export"];
/** What wires: the composition root, the entry points, and the factories of clients that read settings. */
const WIRING = ["src/app/", "src/functions/", "src/cli/", "src/azure/credential.ts", "src/state/storage.ts", "src/azure/localClock.ts"];

describe("the wiring", () => {
  it("config/ imports nothing but config/ and common/", () => {
    const outside = sources("src/config").flatMap((f) =>
      imports(f)
        .filter((i) => !/^src\/(config|common)\//.test(i))
        .map((i) => `${f.path} → ${i}`),
    );
    expect(outside).toEqual([]);
  });

  it("loads the settings at one call site, the app's", () => {
    const calls = [...sources("src"), ...sources("dev")].filter((f) => /\bloadConfig\(/.test(f.text) && !f.path.startsWith("src/config/")).map((f) => f.path);
    expect(calls).toEqual(["src/app/app.ts"]);
  });

  it("no domain imports wiring or reads the environment", () => {
    const found = DOMAINS.flatMap((domain) =>
      sources(`src/${domain}`).flatMap((f) => [
        ...imports(f)
          .filter((i) => WIRING.some((w) => i.startsWith(w.replace(/\.ts$/, ""))))
          .map((i) => `${f.path} → ${i}`),
        ...(/process\.env/.test(f.text) ? [`${f.path} reads process.env`] : []),
      ]),
    );
    expect(found).toEqual([]);
  });

  it("hands the detector set over from the app: no domain imports the detector registry", () => {
    const found = DOMAINS.flatMap((domain) =>
      sources(`src/${domain}`)
        .filter((f) => imports(f).includes("src/audit/detectors/registry.js"))
        .map((f) => f.path),
    );
    expect(found).toEqual([]);
  });

  it("hands the rotators over from the app: nothing outside src/app imports the rotator registry", () => {
    const found = sources("src")
      .filter((f) => !f.path.startsWith("src/app/") && imports(f).includes("src/rotators/registry.js"))
      .map((f) => f.path);
    expect(found).toEqual([]);
  });

  it("loads a rotator's SDKs and the revoke gate's audit readers when first used, not with every rotation", () => {
    // Each would cost every cold start and every `kvguard rotate` (together about half its CPU time).
    const lazySdk = /^import (?!type )[^;]*from "(@azure\/arm-[^"]+|@azure\/identity|@azure\/eventgrid|ioredis)";$/gm;
    const eager = sources("src/rotators").flatMap((f) => [...f.text.matchAll(lazySdk)].map((m) => `${f.path} → ${m[1]!}`));
    const revoke = sources("src/app").find((f) => f.path === "src/app/revoke.ts")!;
    const audit = [...revoke.text.matchAll(/^import (?!type )[^;]*from "(\.\.\/audit\/[^"]+|\.\/audit\.js)";$/gm)].map((m) => `${revoke.path} → ${m[1]!}`);
    expect([...eager, ...audit]).toEqual([]);
  });
});
