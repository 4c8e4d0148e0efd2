/**
 * @module The SQL rotators' inputs, without a server: both value formats (and what a bad value says),
 * `ProviderAddress` forms, the policy options, the alternate user's name, and PostgreSQL's quoting rules.
 * What these feed is proved against a real server in postgres.test.ts.
 */
import { describe, expect, it } from "vitest";
import { quoteIdent, quoteLiteral } from "../../src/rotators/postgres/quote.js";
import { scramVerifier, VERIFIER_PATTERN } from "../../src/rotators/postgres/scram.js";
import { findRotator } from "../../src/rotators/registry.js";
import { parseSqlOptions } from "../../src/rotators/sql/options.js";
import { alternateUser } from "../../src/rotators/sql/rotator.js";
import { TrustRefusal } from "../../src/rotation/bindings.js";
import { parseProviderAddress, parseSqlValue } from "../../src/rotators/sql/value.js";

const options = parseSqlOptions("postgres", {});
const JSON_TYPE = "application/json";
/** No operator binding for the host: TLS verified, and no secret may ask for less. */
const OPERATOR = { rotator: "postgres" };

describe("value formats", () => {
  it("a bare password takes its login from CredentialId and its server from ProviderAddress and the options", () => {
    const value = parseSqlValue(
      "s3cret'\\;",
      { credentialId: "app", providerAddress: "db.internal:6432" },
      parseSqlOptions("postgres", { database: "orders", tls: "require" }),
      5432,
      "x",
      {
        rotator: "postgres",
        floor: () => "require",
      },
    );
    expect(value.format).toBe("password");
    expect(value.login).toEqual({ username: "app", password: "s3cret'\\;" });
    expect(value.endpoint).toMatchObject({ host: "db.internal", port: 6432, database: "orders", tls: { enabled: true, rejectUnauthorized: false } });
    expect(value.with({ username: "app_clone", password: "new" })).toBe("new");
  });

  it("an Azure resource id becomes the server's host, with TLS verified by default", () => {
    const id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/Orders-DB";
    const value = parseSqlValue("pw", { credentialId: "app", providerAddress: id }, options, 5432, "x", OPERATOR);
    expect(value.endpoint).toMatchObject({ host: "orders-db.postgres.database.azure.com", port: 5432, tls: { enabled: true, rejectUnauthorized: true } });
    expect(parseProviderAddress("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Sql/servers/sq1").host).toBe("sq1.database.windows.net");
    expect(parseProviderAddress("[::1]:5433")).toEqual({ host: "::1", port: 5433 });
    expect(() => parseProviderAddress("/subscriptions/0/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st")).toThrow(
      /not the resource id of a database server/,
    );
    expect(() => parseProviderAddress("host:99999")).toThrow(/out of range/);
  });

  it("a bare password without its tags says which tag is missing", () => {
    expect(() => parseSqlValue("pw", { providerAddress: "h" }, options, 5432, "the current value of secret db", OPERATOR)).toThrow(
      /secret db: the CredentialId tag is missing/,
    );
    expect(() => parseSqlValue("pw", { credentialId: "app" }, options, 5432, "x", OPERATOR)).toThrow(/the ProviderAddress tag is missing/);
  });

  it("JSON in, JSON out: only username and password change, field order kept", () => {
    const text = JSON.stringify({ username: "app", host: "h", password: "old", port: 5433, tls: { enabled: true, ca: "PEM" } });
    const value = parseSqlValue(text, { contentType: `${JSON_TYPE}; charset=utf-8` }, options, 5432, "x", { rotator: "postgres", floor: () => "require" });
    expect(value.format).toBe("json");
    expect(value.endpoint).toMatchObject({ host: "h", port: 5433, tls: { enabled: true, rejectUnauthorized: true, ca: "PEM" } });
    const next = value.with({ username: "app_clone", password: "n\"e'w" });
    expect(next).toBe(JSON.stringify({ username: "app_clone", host: "h", password: "n\"e'w", port: 5433, tls: { enabled: true, ca: "PEM" } }));
  });

  it("TLS is verified unless the operator's binding allows less; a secret may ask for more, never for less", () => {
    const json = (tls: unknown) => JSON.stringify({ host: "h", username: "u", password: "p", ...(tls ? { tls } : {}) });
    const at = (text: string, floor: "disable" | "require" | "verify", opts = options) =>
      parseSqlValue(text, { contentType: JSON_TYPE }, opts, 5432, "x", { rotator: "postgres", floor: () => floor }).endpoint.tls;
    expect(at(json(undefined), "verify")).toEqual({ enabled: true, rejectUnauthorized: true });
    expect(at(json(undefined), "disable")).toEqual({ enabled: false, rejectUnauthorized: false });
    expect(at(json({ enabled: true }), "disable")).toEqual({ enabled: true, rejectUnauthorized: true });
    expect(() => at(json({ rejectUnauthorized: false }), "verify")).toThrow(
      /refused: the secret asks for TLS mode require at h:5432, weaker than the operator allows there \(verify\).*bindings\.postgres\[\]\.tls/,
    );
    expect(() => at(json({ enabled: false }), "require")).toThrow(/TLS mode disable/);
    expect(() => at(json(undefined), "verify", parseSqlOptions("postgres", { tls: "require" }))).toThrow(TrustRefusal);
    // The value's own CA or certificate name decides whom verify trusts: only where the operator allows require.
    expect(() => at(json({ enabled: true, ca: "PEM" }), "verify")).toThrow(/TLS mode require \(its own tls\.ca or tls\.serverName\)/);
    expect(at(json({ enabled: true, serverName: "db" }), "require")).toEqual({ enabled: true, rejectUnauthorized: true, serverName: "db" });
  });

  it("a bad JSON value names each bad field and never echoes the value", () => {
    const bad = (doc: unknown) => () =>
      parseSqlValue(typeof doc === "string" ? doc : JSON.stringify(doc), { contentType: JSON_TYPE }, options, 5432, "the value of secret db", OPERATOR);
    expect(bad({ host: "h", username: "u", password: "p", hostname: "x" })).toThrow(/unknown field hostname/);
    expect(bad({ host: "h", password: "p" })).toThrow(/username: username is missing/);
    expect(bad({ host: "h", username: "u", password: "p", port: "5432" })).toThrow(/port: port must be a number/);
    expect(bad({ host: "h", username: "u", password: "p", tls: { verify: true } })).toThrow(/unknown field tls\.verify/);
    expect(bad("{not json: hunter2-secret")).toThrow(/^the value of secret db has content type application\/json but its value is not valid JSON$/);
  });
});

describe("options", () => {
  it("defaults: single user, 32 letters and digits, 10 s to connect, 30 s per statement", () => {
    expect(options).toMatchObject({
      strategy: "single",
      cloneSuffix: "_clone",
      length: 32,
      classes: ["upper", "lower", "digit"],
      connectTimeout: 10,
      statementTimeout: 30,
    });
  });

  it("tag strings are coerced; every bad option is named", () => {
    expect(parseSqlOptions("postgres", { strategy: "alternating", manager: "pg-admin", port: "6432", connectTimeout: "2.5" })).toMatchObject({
      port: 6432,
      connectTimeout: 2.5,
    });
    expect(() => parseSqlOptions("postgres", { strategy: "alternating" })).toThrow(/alternating strategy needs manager/);
    expect(() => parseSqlOptions("postgres", { classes: "digit", exclude: "0123456789" })).toThrow(/exclude leaves no character of class digit/);
    expect(() => parseSqlOptions("postgres", { tls: "maybe", colour: "red", connectTimeout: "0" })).toThrow(
      /postgres rotator options: .*unknown option colour.*|.*tls "maybe" is not one of disable, require, verify.*/,
    );
    const message = (() => {
      try {
        parseSqlOptions("postgres", { tls: "maybe", colour: "red", connectTimeout: "0" });
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain("unknown option colour");
    expect(message).toContain('tls "maybe" is not one of disable, require, verify');
    expect(message).toContain("connectTimeout must be more than 0 seconds");
  });

  it("the registered postgres rotator parses its options through the same schema", () => {
    expect(findRotator("postgres")?.parseOptions({ strategy: "dual-password" })).toMatchObject({ strategy: "dual-password" });
  });
});

describe("names and quoting", () => {
  it("alternates name ↔ name_clone", () => {
    expect(alternateUser("app", "_clone")).toBe("app_clone");
    expect(alternateUser("app_clone", "_clone")).toBe("app");
    expect(alternateUser("_clone", "_clone")).toBe("_clone_clone");
  });

  it("quotes identifiers and literals by PostgreSQL's rules", () => {
    expect(quoteIdent(`o'Brien"; DROP`)).toBe(`"o'Brien""; DROP"`);
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral("a\\'b")).toBe("E'a\\\\''b'");
    expect(() => quoteIdent("a\0b")).toThrow(/NUL/);
  });

  it("a SCRAM verifier holds only base64 after its prefix, never the password", () => {
    const verifier = scramVerifier("p'a\"ss;--");
    expect(verifier).toMatch(VERIFIER_PATTERN);
    expect(verifier).not.toContain("p'a");
    expect(scramVerifier("same", Buffer.alloc(16, 1))).toBe(scramVerifier("same", Buffer.alloc(16, 1)));
  });
});
