/**
 * Keys in the local Key Vault through the unmodified KeyClient: create, import, get, list, update, soft
 * delete, recover, purge, backup and restore, rotation and its policy, events, RBAC and throttling.
 * Cryptographic operations and persistence are in keyCrypto.test.ts.
 */
import { generateKeyPairSync } from "node:crypto";
import type { KeyClient } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyVaultEvent } from "../../emulator/index.js";
import { devClaims, DevTokenCredential } from "../../src/azure/devCredential.js";
import { httpsRequest } from "../helpers/https.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";
import { DAY_MS } from "../../src/common/duration.js";

let tv: TestVault;
let keys: KeyClient;
const poll = { intervalInMs: 10 };
const PRIVATE_FIELDS = ["d", "p", "q", "dp", "dq", "qi"] as const;

beforeAll(async () => {
  tv = await startTestVault({ vaults: ["keys-main", "keys-rbac"] });
  keys = tv.clients().keys;
});
afterAll(() => tv.kv.close());

/** What the SDK never shows: the raw JSON of a GET, to check no private part is ever sent. */
async function rawGet(path: string): Promise<unknown> {
  const { token } = await new DevTokenCredential({ name: "test-app" }).getToken("https://vault.azure.net/.default");
  const res = await httpsRequest(`${tv.url}${path}?api-version=2025-07-01`, {
    ca: tv.kv.tls.caPem,
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return res.json();
}

describe("create and get", () => {
  it("creates RSA keys (2048 by default, RSA-HSM) and returns only the public JWK", async () => {
    const [rsa, hsm] = await Promise.all([keys.createRsaKey("rsa-default"), keys.createKey("rsa-hsm", "RSA-HSM")]);
    expect(rsa.id).toBe(`${tv.url}/keys/rsa-default/${rsa.properties.version}`);
    expect(rsa.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(rsa.keyType).toBe("RSA");
    expect(rsa.keyOperations).toEqual(["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]);
    expect(rsa.key?.n).toHaveLength(256);
    expect(Buffer.from(rsa.key!.e!).toString("base64url")).toBe("AQAB");
    for (const field of PRIVATE_FIELDS) expect(rsa.key?.[field]).toBeUndefined();
    expect(rsa.properties).toMatchObject({ enabled: true, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90, exportable: false });
    expect(hsm.keyType).toBe("RSA-HSM");
  });

  it.each([
    ["P-256", 32],
    ["P-384", 48],
    ["P-521", 66],
    ["P-256K", 32],
  ] as const)("creates an EC key on %s with fixed-width coordinates", async (curve, bytes) => {
    const ec = await keys.createEcKey(`ec-${curve}`, { curve });
    expect(ec).toMatchObject({ keyType: "EC", keyOperations: ["sign", "verify"] });
    expect(ec.key?.crv).toBe(curve);
    expect(ec.key?.x).toHaveLength(bytes);
    expect(ec.key?.y).toHaveLength(bytes);
    expect(ec.key?.d).toBeUndefined();
  });

  it("gets the latest version and a given one, with attributes and tags, by any name case", async () => {
    const exp = new Date((Math.floor(Date.now() / 1000) + 86_400) * 1000);
    const first = await keys.createEcKey("versioned", { tags: { owner: "team-a" }, expiresOn: exp });
    const second = await keys.createEcKey("versioned", { tags: { owner: "team-b" } });
    const latest = await keys.getKey("versioned");
    expect(latest.id).toBe(second.id);
    expect(latest.properties.tags).toEqual({ owner: "team-b" });
    const old = await keys.getKey("versioned", { version: first.properties.version! });
    expect(old.properties.tags).toEqual({ owner: "team-a" });
    expect(old.properties.expiresOn?.getTime()).toBe(exp.getTime());
    expect(old.properties.createdOn).toBeInstanceOf(Date);
    expect(Buffer.from(old.key!.x!)).toEqual(Buffer.from(first.key!.x!));
    expect((await keys.getKey("VERSIONED")).id).toBe(second.id);
  });

  it("answers 404 KeyNotFound for an unknown key or version", async () => {
    await expect(keys.getKey("no-such-key")).rejects.toMatchObject({ statusCode: 404, code: "KeyNotFound" });
    await expect(keys.getKey("versioned", { version: "0".repeat(32) })).rejects.toMatchObject({
      statusCode: 404,
      code: "KeyNotFound",
    });
  });

  it("refuses an unsupported type, size or curve, a bad name, 16 tags and unknown key_ops with 400", async () => {
    const attempts = [
      keys.createKey("oct-key", "oct"),
      keys.createRsaKey("small", { keySize: 1024 }),
      keys.createEcKey("p192", { curve: "P-192" }),
      keys.createEcKey("bad_name"),
      keys.createEcKey("tags", { tags: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, "v"])) }),
      keys.createEcKey("ops", { keyOps: ["fly"] }),
      keys.createEcKey("exportable", { exportable: true }),
    ];
    for (const error of await Promise.all(attempts.map(rejection))) {
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe("BadParameter");
      expect(error.message.length).toBeGreaterThan(10);
    }
  });

  it("keeps an exportable key's release policy, and refuses to change an immutable one", async () => {
    const encodedPolicy = Buffer.from(JSON.stringify({ version: "1.0.0", anyOf: [] }));
    const key = await keys.createEcKey("exportable", { exportable: true, releasePolicy: { encodedPolicy, immutable: true } });
    expect(key.properties.exportable).toBe(true);
    expect(Buffer.from(key.properties.releasePolicy!.encodedPolicy!)).toEqual(encodedPolicy);
    const change = await rejection(keys.updateKeyProperties("exportable", { releasePolicy: { encodedPolicy } }));
    expect(change.statusCode).toBe(400);
  });

  it("never sends private key parts, in a bundle, a list or a deleted key", async () => {
    const bundle = (await rawGet("/keys/rsa-default/")) as { key: Record<string, unknown> };
    expect(Object.keys(bundle.key).sort()).toEqual(["e", "key_ops", "kid", "kty", "n"]);
    const list = (await rawGet("/keys")) as { value: Record<string, unknown>[] };
    expect(list.value.length).toBeGreaterThan(0);
    for (const item of list.value) expect(["attributes", "kid", "tags"]).toEqual(expect.arrayContaining(Object.keys(item)));
    await keys.createEcKey("wire-check");
    await (await keys.beginDeleteKey("wire-check", poll)).pollUntilDone();
    const deleted = (await rawGet("/deletedkeys/wire-check")) as { key: Record<string, unknown> };
    expect(Object.keys(deleted.key).sort()).toEqual(["crv", "key_ops", "kid", "kty", "x", "y"]);
  });
});

describe("import", () => {
  it("imports an RSA key with its private part and returns the same public key", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const bytes = (field: string | undefined) => Buffer.from(field!, "base64url");
    const imported = await keys.importKey(
      "imported-rsa",
      {
        kty: "RSA",
        keyOps: ["sign", "verify"],
        ...Object.fromEntries((["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const).map((f) => [f, bytes(jwk[f])])),
      },
      { tags: { source: "on-prem" } },
    );
    expect(imported.keyType).toBe("RSA");
    expect(imported.keyOperations).toEqual(["sign", "verify"]);
    expect(Buffer.from(imported.key!.n!)).toEqual(bytes(jwk.n));
    expect(imported.key?.d).toBeUndefined();
    expect(imported.properties.tags).toEqual({ source: "on-prem" });
  });

  it("imports an EC key as EC-HSM when asked, and refuses a key without its private part", async () => {
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "jwk" });
    const bytes = (field: string | undefined) => Buffer.from(field!, "base64url");
    const ec = await keys.importKey("imported-ec", { kty: "EC", crv: "P-384", x: bytes(jwk.x), y: bytes(jwk.y), d: bytes(jwk.d) }, { hardwareProtected: true });
    expect(ec.keyType).toBe("EC-HSM");
    expect(ec.key?.crv).toBe("P-384");
    const publicOnly = await rejection(keys.importKey("public-only", { kty: "EC", crv: "P-384", x: bytes(jwk.x), y: bytes(jwk.y) }));
    expect(publicOnly.statusCode).toBe(400);
    expect(publicOnly.message).toMatch(/private/);
  });
});

describe("list and update", () => {
  it("lists keys across pages and a key's versions, without key material", async () => {
    for (let i = 0; i < 27; i++) await keys.createEcKey(`paged-${String(i).padStart(2, "0")}`);
    const names: string[] = [];
    for await (const page of keys.listPropertiesOfKeys().byPage({ maxPageSize: 10 })) {
      expect(page.length).toBeLessThanOrEqual(10);
      names.push(...page.map((p) => p.name));
    }
    expect(names.filter((n) => n.startsWith("paged-"))).toHaveLength(27);
    for await (const item of keys.listPropertiesOfKeys()) expect(item.version).toBeUndefined();

    const versions = [];
    for await (const v of keys.listPropertiesOfKeyVersions("versioned")) versions.push(v);
    expect(versions).toHaveLength(2);
    expect(versions.every((v) => v.id === `${tv.url}/keys/versioned/${v.version}`)).toBe(true);
  });

  it("updates key_ops, tags and attributes of the latest or a given version", async () => {
    const created = await keys.createEcKey("updatable");
    const exp = new Date((Math.floor(Date.now() / 1000) + 3600) * 1000);
    const updated = await keys.updateKeyProperties("updatable", created.properties.version!, {
      keyOps: ["verify"],
      tags: { stage: "retiring" },
      expiresOn: exp,
      enabled: false,
    });
    expect(updated.keyOperations).toEqual(["verify"]);
    expect(updated.properties).toMatchObject({ tags: { stage: "retiring" }, enabled: false });
    expect(updated.properties.expiresOn?.getTime()).toBe(exp.getTime());
    // A disabled key can still be read: only its private-key operations are refused.
    expect((await keys.getKey("updatable")).properties.enabled).toBe(false);
    const bad = await rejection(keys.updateKeyProperties("updatable", { notBefore: new Date(exp.getTime() + 1000) }));
    expect(bad.code).toBe("BadParameter");
  });
});

describe("soft delete, recover and purge", () => {
  it("deletes into a recoverable state, blocks the name, recovers, then purges", async () => {
    const created = await keys.createEcKey("doomed");
    const deleted = await (await keys.beginDeleteKey("doomed", poll)).pollUntilDone();
    expect(deleted.properties.recoveryId).toBe(`${tv.url}/deletedkeys/doomed`);
    expect(deleted.properties.deletedOn).toBeInstanceOf(Date);
    expect(deleted.properties.scheduledPurgeDate!.getTime() - deleted.properties.deletedOn!.getTime()).toBe(90 * DAY_MS);
    expect((await keys.getDeletedKey("doomed")).id).toBe(created.id);
    const listed = [];
    for await (const d of keys.listDeletedKeys()) listed.push(d.name);
    expect(listed).toContain("doomed");
    await expect(keys.getKey("doomed")).rejects.toMatchObject({ statusCode: 404 });

    const conflict = await rejection(keys.createEcKey("doomed"));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.code).toBe("Conflict");

    const recovered = await (await keys.beginRecoverDeletedKey("doomed", poll)).pollUntilDone();
    expect(recovered.id).toBe(created.id);
    await (await keys.beginDeleteKey("doomed", poll)).pollUntilDone();
    await keys.purgeDeletedKey("doomed");
    await expect(keys.getDeletedKey("doomed")).rejects.toMatchObject({ statusCode: 404 });
    await expect(keys.purgeDeletedKey("doomed")).rejects.toMatchObject({ statusCode: 404 });
    expect((await keys.createEcKey("doomed")).id).not.toBe(created.id);
  });
});

describe("backup and restore", () => {
  it("restores every version of a purged key, with its rotation policy", async () => {
    const first = await keys.createEcKey("backed-up", { tags: { app: "billing" } });
    await keys.rotateKey("backed-up");
    await keys.updateKeyRotationPolicy("backed-up", { lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P60D" }] });
    const blob = await keys.backupKey("backed-up");
    expect(blob).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(blob!).toString("latin1")).not.toContain(Buffer.from(first.key!.x!).toString("base64url"));

    await (await keys.beginDeleteKey("backed-up", poll)).pollUntilDone();
    await keys.purgeDeletedKey("backed-up");
    const restored = await keys.restoreKeyBackup(blob!);
    expect(restored.name).toBe("backed-up");
    const versions = [];
    for await (const v of keys.listPropertiesOfKeyVersions("backed-up")) versions.push(v.version);
    expect(versions).toHaveLength(2);
    expect(versions).toContain(first.properties.version);
    const old = await keys.getKey("backed-up", { version: first.properties.version! });
    expect(Buffer.from(old.key!.x!)).toEqual(Buffer.from(first.key!.x!));
    expect(old.properties.tags).toEqual({ app: "billing" });
    expect((await keys.getKeyRotationPolicy("backed-up")).lifetimeActions).toEqual([
      { action: "Rotate", timeAfterCreate: "P60D", timeBeforeExpiry: undefined },
    ]);

    expect((await rejection(keys.restoreKeyBackup(blob!))).statusCode).toBe(409);
    const corrupt = Buffer.from(blob!);
    corrupt[corrupt.length - 1]! ^= 1;
    expect((await rejection(keys.restoreKeyBackup(corrupt))).statusCode).toBe(400);
  });
});

describe("rotation", () => {
  it("reports the default policy for a key that has none", async () => {
    await keys.createEcKey("policy-default");
    const policy = await keys.getKeyRotationPolicy("policy-default");
    expect(policy.lifetimeActions).toEqual([{ action: "Notify", timeAfterCreate: undefined, timeBeforeExpiry: "P30D" }]);
    expect(policy.expiresIn).toBeUndefined();
    expect(policy.createdOn).toBeUndefined();
    await expect(keys.getKeyRotationPolicy("no-such-key")).rejects.toMatchObject({ statusCode: 404, code: "KeyNotFound" });
  });

  it("stores a policy, and a rotation makes a like key that expires as the policy says", async () => {
    const original = await keys.createRsaKey("rotating", { keySize: 3072, keyOps: ["sign", "verify"], tags: { app: "api" } });
    const set = await keys.updateKeyRotationPolicy("rotating", {
      expiresIn: "P90D",
      lifetimeActions: [
        { action: "Rotate", timeAfterCreate: "P30D" },
        { action: "Notify", timeBeforeExpiry: "P10D" },
      ],
    });
    expect(set.id).toBe(`${tv.url}/keys/rotating/rotationpolicy`);
    expect(set.createdOn).toBeInstanceOf(Date);
    const got = await keys.getKeyRotationPolicy("rotating");
    expect(got).toMatchObject({ expiresIn: "P90D", id: set.id });
    expect(got.lifetimeActions?.map((a) => a.action)).toEqual(["Rotate", "Notify"]);

    const rotated = await keys.rotateKey("rotating");
    expect(rotated.properties.version).not.toBe(original.properties.version);
    expect(rotated.key?.n).toHaveLength(384);
    expect(Buffer.from(rotated.key!.n!)).not.toEqual(Buffer.from(original.key!.n!));
    expect(rotated.keyOperations).toEqual(["sign", "verify"]);
    expect(rotated.properties.tags).toEqual({ app: "api" });
    const expectedExp = rotated.properties.createdOn!.getTime() + 90 * DAY_MS;
    expect(Math.abs(rotated.properties.expiresOn!.getTime() - expectedExp)).toBeLessThanOrEqual(3600_000);
    expect((await keys.getKey("rotating")).id).toBe(rotated.id);

    const ec = await keys.createEcKey("rotating-ec", { curve: "P-384" });
    const ecRotated = await keys.rotateKey("rotating-ec");
    expect(ecRotated.key?.crv).toBe("P-384");
    expect(ecRotated.properties.expiresOn).toBeUndefined();
    expect(ecRotated.id).not.toBe(ec.id);
  });

  it("refuses policies Key Vault refuses, with 400", async () => {
    await keys.createEcKey("policy-rules");
    const bad = [
      { expiresIn: "P10D", lifetimeActions: [] },
      { expiresIn: "90 days", lifetimeActions: [] },
      { lifetimeActions: [{ action: "Rotate" as const, timeAfterCreate: "P1D" }] },
      { lifetimeActions: [{ action: "Notify" as const, timeAfterCreate: "P30D" }] },
      { lifetimeActions: [{ action: "Rotate" as const, timeAfterCreate: "P30D", timeBeforeExpiry: "P30D" }] },
      {
        lifetimeActions: [
          { action: "Rotate" as const, timeAfterCreate: "P30D" },
          { action: "Rotate" as const, timeAfterCreate: "P60D" },
        ],
      },
      { expiresIn: "P60D", lifetimeActions: [{ action: "Rotate" as const, timeAfterCreate: "P58D" }] },
    ];
    for (const policy of bad) {
      const error = await rejection(keys.updateKeyRotationPolicy("policy-rules", policy));
      expect(error.statusCode, JSON.stringify(policy)).toBe(400);
      expect(error.code).toBe("BadParameter");
    }
    expect((await keys.getKeyRotationPolicy("policy-rules")).id).toBeUndefined();
  });
});

describe("events", () => {
  it("publishes KeyNewVersionCreated on create, import and rotate", async () => {
    const seen: KeyVaultEvent[] = [];
    const listener = (event: KeyVaultEvent) => seen.push(event);
    tv.kv.events.on("event", listener);
    try {
      const created = await keys.createEcKey("evented");
      const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
      const bytes = (field: string | undefined) => Buffer.from(field!, "base64url");
      const imported = await keys.importKey("evented", { kty: "EC", crv: "P-256", x: bytes(jwk.x), y: bytes(jwk.y), d: bytes(jwk.d) });
      const rotated = await keys.rotateKey("evented");
      await keys.updateKeyProperties("evented", { tags: { no: "event" } });
      expect(seen.map((e) => [e.eventType, e.data.ObjectType, e.data.Id])).toEqual(
        [created, imported, rotated].map((k) => ["Microsoft.KeyVault.KeyNewVersionCreated", "Key", k.id]),
      );
    } finally {
      tv.kv.events.off("event", listener);
    }
  });
});

describe("RBAC", () => {
  it("grants key actions by built-in role and refuses the rest with 403 ForbiddenByRbac", async () => {
    const vault = tv.kv.vaults.get("keys-rbac")!;
    tv.kv.setRoleAssignments(
      vault,
      (
        [
          ["officer", "Key Vault Crypto Officer"],
          ["user", "Key Vault Crypto User"],
          ["reader", "Key Vault Reader"],
        ] as const
      ).map(([name, role]) => ({ principalId: devClaims({ name }).oid!, role })),
    );
    const as = (name: string) => tv.clients({ name }, "keys-rbac");
    const key = await as("officer").keys.createEcKey("rbac-key");
    await as("officer").keys.updateKeyRotationPolicy("rbac-key", { expiresIn: "P60D", lifetimeActions: [] });

    const digest = Buffer.alloc(32, 7);
    const signed = await as("user").crypto(key.id!).sign("ES256", digest);
    expect((await as("user").crypto(key.id!).verify("ES256", digest, signed.result)).result).toBe(true);
    const denied = await rejection(as("user").keys.createEcKey("not-allowed"));
    expect(denied.statusCode).toBe(403);
    expect(denied.message).toContain("Microsoft.KeyVault/vaults/keys/create/action");
    await expect(as("user").keys.rotateKey("rbac-key")).rejects.toMatchObject({ statusCode: 403 });

    expect((await as("reader").keys.getKeyRotationPolicy("rbac-key")).expiresIn).toBe("P60D");
    const write = await rejection(as("reader").keys.updateKeyRotationPolicy("rbac-key", { lifetimeActions: [] }));
    expect(write.message).toContain("Microsoft.KeyVault/vaults/keyrotationpolicies/write");
    await expect(as("reader").crypto(key.id!).sign("ES256", digest)).rejects.toMatchObject({ statusCode: 403 });
    await expect(as("stranger").keys.getKey("rbac-key")).rejects.toMatchObject({ statusCode: 403 });
  });
});

describe("throttling and purge protection", () => {
  let restricted: TestVault;
  beforeAll(async () => {
    restricted = await startTestVault({
      // Each bucket is checked on a vault of its own, so no other test's requests share its window.
      vaults: [{ name: "pp-vault", purgeProtection: true }, "create-vault", "rsa-vault"],
      throttle: { "key-create": 2, "rsa-3072": 2 },
    });
  });
  afterAll(() => restricted.kv.close());

  it("refuses to purge a deleted key in a purge-protected vault with 403", async () => {
    const ppKeys = restricted.clients().keys;
    const created = await ppKeys.createEcKey("protected");
    expect(created.properties.recoveryLevel).toBe("Recoverable");
    await (await ppKeys.beginDeleteKey("protected", poll)).pollUntilDone();
    const error = await rejection(ppKeys.purgeDeletedKey("protected"));
    expect(error.statusCode).toBe(403);
    expect(error.message).toMatch(/purge protection/);
    expect((await ppKeys.getDeletedKey("protected")).name).toBe("protected");
  });

  it("counts creates in the key-create bucket and RSA-3072 operations in their own, answering 429", async () => {
    // The requests one window counts follow each other with no key generation between them (an RSA-3072 key
    // takes seconds on a busy machine): the window is real time, as Key Vault's is.
    const creates = restricted.clients(undefined, "create-vault").keys;
    await creates.createEcKey("first");
    await creates.createEcKey("second");
    const refused = await rejection(creates.createEcKey("one-too-many"));
    expect(refused.statusCode).toBe(429);
    expect(refused.response?.headers.get("retry-after")).toMatch(/^\d+$/);

    const rsaKeys = restricted.clients(undefined, "rsa-vault").keys;
    await rsaKeys.createRsaKey("throttled", { keySize: 3072 });
    await rsaKeys.createEcKey("throttled-ec");
    await rsaKeys.getKey("throttled");
    await rsaKeys.getKey("throttled");
    expect((await rejection(rsaKeys.getKey("throttled"))).statusCode).toBe(429);
    // EC keys are in the vault transactions bucket, untouched by the RSA-3072 limit.
    expect((await rsaKeys.getKey("throttled-ec")).name).toBe("throttled-ec");
  });
});
