/**
 * Cryptography with local Key Vault keys through the unmodified CryptographyClient: every signature
 * algorithm checked by node:crypto against the public JWK the SDK returned, every encryption and wrap
 * algorithm round-tripped, the key rules (disabled, nbf/exp, key_ops, algorithm and digest length), and
 * keys surviving a restart.
 */
import { constants, createHash, createPublicKey, generateKeyPairSync, privateDecrypt, publicDecrypt, verify as nodeVerify, type KeyObject } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CryptographyClient, type KeyClient, type KeyVaultKey } from "@azure/keyvault-keys";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { clientOptions } from "../../src/azure/keyVaultClients.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";

let tv: TestVault;
let keys: KeyClient;
let rsaKey: KeyVaultKey;

beforeAll(async () => {
  tv = await startTestVault();
  keys = tv.clients().keys;
  rsaKey = await keys.createRsaKey("crypto-rsa");
});
afterAll(() => tv.kv.close());

/** The public key as node:crypto sees it, built only from what the SDK returned. */
function nodePublicKey(key: KeyVaultKey): KeyObject {
  const b64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes!).toString("base64url");
  const jwk = key.key!;
  return jwk.kty!.startsWith("RSA")
    ? createPublicKey({ key: { kty: "RSA", n: b64(jwk.n), e: b64(jwk.e) }, format: "jwk" })
    : createPublicKey({
        key: { kty: "EC", crv: jwk.crv === "P-256K" ? "secp256k1" : jwk.crv, x: b64(jwk.x), y: b64(jwk.y) },
        format: "jwk",
      });
}

/**
 * A client that knows the key's id but not its material, operations or dates, so every call goes to the
 * emulator (a client holding the key encrypts, wraps and checks key_ops and dates locally).
 */
function remoteOnly(key: KeyVaultKey, vault: TestVault = tv): CryptographyClient {
  const options = clientOptions({
    vaultUrl: vault.url,
    credential: new DevTokenCredential({ name: "test-app" }),
    ca: vault.kv.tls.caPem,
    retryOptions: { maxRetries: 0 },
  });
  const bare: KeyVaultKey = {
    ...key,
    key: undefined,
    keyOperations: undefined,
    properties: { ...key.properties, notBefore: undefined, expiresOn: undefined },
  };
  return new CryptographyClient(bare, new DevTokenCredential({ name: "test-app" }), options);
}

describe("sign and verify", () => {
  it.each([
    ["RS256", "sha256"],
    ["RS384", "sha384"],
    ["RS512", "sha512"],
    ["PS256", "sha256"],
    ["PS384", "sha384"],
    ["PS512", "sha512"],
  ] as const)("%s signs a digest that node:crypto verifies with the returned public key", async (algorithm, hash) => {
    const crypto = tv.clients().crypto(rsaKey.id!);
    const data = Buffer.from(`payload for ${algorithm}`);
    const digest = createHash(hash).update(data).digest();
    const { result, keyID } = await crypto.sign(algorithm, digest);
    expect(keyID).toBe(rsaKey.id);
    expect(result).toHaveLength(256);
    const pss = algorithm.startsWith("PS") ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {};
    expect(nodeVerify(hash, data, { key: nodePublicKey(rsaKey), ...pss }, result)).toBe(true);

    expect((await crypto.verify(algorithm, digest, result)).result).toBe(true);
    const tampered = Buffer.from(result);
    tampered[17]! ^= 1;
    expect((await crypto.verify(algorithm, digest, tampered)).result).toBe(false);
    expect(nodeVerify(hash, data, { key: nodePublicKey(rsaKey), ...pss }, tampered)).toBe(false);
  });

  it("RSNULL signs the value as given, under PKCS#1 v1.5 padding", async () => {
    const value = Buffer.from("tls-handshake-hash-0123456789abcdef");
    const { result } = await remoteOnly(rsaKey).sign("RSNULL", value);
    expect(publicDecrypt({ key: nodePublicKey(rsaKey), padding: constants.RSA_PKCS1_PADDING }, result)).toEqual(value);
  });

  it.each([
    ["ES256", "P-256", "sha256", 64],
    ["ES384", "P-384", "sha384", 96],
    ["ES512", "P-521", "sha512", 132],
    ["ES256K", "P-256K", "sha256", 64],
  ] as const)("%s on %s gives a fixed-width r||s signature that node:crypto verifies", async (algorithm, curve, hash, width) => {
    const key = await keys.createEcKey(`crypto-${curve}`, { curve });
    const crypto = tv.clients().crypto(key.id!);
    const data = Buffer.from(`payload for ${algorithm}`);
    const digest = createHash(hash).update(data).digest();
    const { result } = await crypto.sign(algorithm, digest);
    expect(result).toHaveLength(width);
    expect(nodeVerify(hash, data, { key: nodePublicKey(key), dsaEncoding: "ieee-p1363" }, result)).toBe(true);
    expect((await crypto.verify(algorithm, digest, result)).result).toBe(true);
    const other = createHash(hash).update("other data").digest();
    expect((await crypto.verify(algorithm, other, result)).result).toBe(false);
  });

  it("refuses a wrong digest length, an algorithm of another key type or curve, and an unknown one with 400", async () => {
    const ec = await keys.getKey("crypto-P-384");
    const attempts = [
      remoteOnly(rsaKey).sign("RS256", Buffer.alloc(20)),
      remoteOnly(rsaKey).sign("PS512", Buffer.alloc(32)),
      remoteOnly(rsaKey).sign("ES256", Buffer.alloc(32)),
      remoteOnly(rsaKey).sign("XX256", Buffer.alloc(32)),
      remoteOnly(ec).sign("ES256", Buffer.alloc(32)),
      remoteOnly(ec).sign("ES384", Buffer.alloc(32)),
      remoteOnly(ec).verify("ES384", Buffer.alloc(64), Buffer.alloc(96)),
      remoteOnly(rsaKey).encrypt({ algorithm: "A256GCM", plaintext: Buffer.from("vault keys hold no AES") }),
    ];
    for (const error of await Promise.all(attempts.map(rejection))) {
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe("BadParameter");
    }
    const digestError = await rejection(remoteOnly(rsaKey).sign("RS256", Buffer.alloc(20)));
    expect(digestError.message).toMatch(/digest length 20.*32/);
  });
});

describe("encrypt, decrypt, wrap and unwrap", () => {
  const algorithms = ["RSA-OAEP", "RSA-OAEP-256", "RSA1_5"] as const;

  it.each(algorithms)("%s round-trips, encrypted by the emulator or by the SDK with the public key", async (algorithm) => {
    const plaintext = Buffer.from(`secret for ${algorithm}`);
    const remote = remoteOnly(rsaKey);
    const byEmulator = await remote.encrypt({ algorithm, plaintext });
    expect(byEmulator.keyID).toBe(rsaKey.id);
    expect(byEmulator.result).toHaveLength(256);
    expect(Buffer.from((await remote.decrypt({ algorithm, ciphertext: byEmulator.result })).result)).toEqual(plaintext);

    // RSA-OAEP and RSA1_5 are encrypted by the SDK itself with the public key; RSA-OAEP-256 goes remote.
    const sdk = tv.clients().crypto(rsaKey.id!);
    const bySdk = await sdk.encrypt({ algorithm, plaintext });
    expect(Buffer.from((await sdk.decrypt({ algorithm, ciphertext: bySdk.result })).result)).toEqual(plaintext);
  });

  it.each(algorithms)("%s wraps and unwraps a 256-bit key", async (algorithm) => {
    const contentKey = Buffer.alloc(32, 0xa5);
    for (const client of [remoteOnly(rsaKey), tv.clients().crypto(rsaKey.id!)]) {
      const wrapped = await client.wrapKey(algorithm, contentKey);
      expect(wrapped.result).toHaveLength(256);
      expect(Buffer.from((await client.unwrapKey(algorithm, wrapped.result)).result)).toEqual(contentKey);
    }
  });

  it("encrypts with OAEP as node:crypto decrypts it, for an imported key whose private half the test holds", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = privateKey.export({ format: "jwk" });
    const bytes = (field: string | undefined) => Buffer.from(field!, "base64url");
    const imported = await keys.importKey("crypto-imported", {
      kty: "RSA",
      ...Object.fromEntries((["n", "e", "d", "p", "q", "dp", "dq", "qi"] as const).map((f) => [f, bytes(jwk[f])])),
    });
    const plaintext = Buffer.from("cross-checked");
    for (const [algorithm, oaepHash] of [
      ["RSA-OAEP", "sha1"],
      ["RSA-OAEP-256", "sha256"],
    ] as const) {
      const { result } = await remoteOnly(imported).encrypt({ algorithm, plaintext });
      expect(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, result)).toEqual(plaintext);
    }
  });

  it("refuses a plaintext too long for the key and a ciphertext that does not decrypt, with 400", async () => {
    const remote = remoteOnly(rsaKey);
    const tooLong = await rejection(remote.encrypt({ algorithm: "RSA-OAEP-256", plaintext: Buffer.alloc(200) }));
    expect(tooLong.statusCode).toBe(400);
    for (const algorithm of algorithms) {
      const garbage = await rejection(remote.decrypt({ algorithm, ciphertext: Buffer.alloc(256, 1) }));
      expect(garbage.statusCode).toBe(400);
      expect(garbage.code).toBe("BadParameter");
    }
  });
});

describe("key rules", () => {
  it("refuses a disabled key's private operations with 403, and still serves its public ones", async () => {
    const key = await keys.createRsaKey("crypto-disabled");
    const digest = createHash("sha256").update("x").digest();
    const ciphertext = (await remoteOnly(key).encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("x") })).result;
    const signature = (await remoteOnly(key).sign("RS256", digest)).result;
    await keys.updateKeyProperties("crypto-disabled", { enabled: false });
    const remote = remoteOnly(key);
    const refused = [remote.sign("RS256", digest), remote.decrypt({ algorithm: "RSA-OAEP", ciphertext }), remote.unwrapKey("RSA-OAEP", ciphertext)];
    for (const error of await Promise.all(refused.map(rejection))) {
      expect(error.statusCode).toBe(403);
      expect(error.code).toBe("Forbidden");
      expect(error.message).toMatch(/disabled key/);
    }
    expect((await remote.verify("RS256", digest, signature)).result).toBe(true);
    expect((await remote.encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("y") })).result).toHaveLength(256);
  });

  it("refuses sign, encrypt and wrap outside nbf/exp with 403, and still decrypts and verifies", async () => {
    const key = await keys.createRsaKey("crypto-dated");
    const digest = createHash("sha256").update("x").digest();
    const remote = remoteOnly(key);
    const ciphertext = (await remote.encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("old data") })).result;
    const signature = (await remote.sign("RS256", digest)).result;
    const now = Math.floor(Date.now() / 1000) * 1000;

    await keys.updateKeyProperties("crypto-dated", { expiresOn: new Date(now - 60_000) });
    const refused = [
      remote.sign("RS256", digest),
      remote.encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("new data") }),
      remote.wrapKey("RSA-OAEP", Buffer.alloc(32)),
    ];
    for (const error of await Promise.all(refused.map(rejection))) {
      expect(error.statusCode).toBe(403);
      expect(error.message).toMatch(/expired key/);
    }
    expect(Buffer.from((await remote.decrypt({ algorithm: "RSA-OAEP", ciphertext })).result).toString()).toBe("old data");
    expect((await remote.verify("RS256", digest, signature)).result).toBe(true);

    await keys.updateKeyProperties("crypto-dated", { notBefore: new Date(now + 3_600_000), expiresOn: new Date(now + 7_200_000) });
    const early = await rejection(remote.sign("RS256", digest));
    expect(early.statusCode).toBe(403);
    expect(early.message).toMatch(/activation date/);
  });

  it("refuses an operation the key's key_ops do not list with 403 KeyOperationForbidden", async () => {
    const key = await keys.createRsaKey("crypto-sign-only", { keyOps: ["sign", "verify"] });
    const remote = remoteOnly(key);
    const refused = [
      remote.encrypt({ algorithm: "RSA-OAEP", plaintext: Buffer.from("x") }),
      remote.decrypt({ algorithm: "RSA-OAEP", ciphertext: Buffer.alloc(256) }),
      remote.wrapKey("RSA-OAEP", Buffer.alloc(32)),
    ];
    for (const error of await Promise.all(refused.map(rejection))) {
      expect(error.statusCode).toBe(403);
      expect(error.message).toMatch(/not permitted/);
      expect(error.details).toMatchObject({ error: { innerError: { code: "KeyOperationForbidden" } } });
    }
    expect((await remote.sign("RS256", Buffer.alloc(32))).result).toHaveLength(256);
  });

  it("answers 404 for operations on an unknown key or version", async () => {
    const fake = { ...rsaKey, id: `${tv.url}/keys/crypto-rsa/${"0".repeat(32)}` };
    fake.properties = { ...rsaKey.properties, version: "0".repeat(32), id: fake.id };
    const error = await rejection(remoteOnly(fake).sign("RS256", Buffer.alloc(32)));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("KeyNotFound");
  });
});

describe("persistence", () => {
  it("signs after a restart with the key made before it, verifiable with the earlier public key; audits by key id", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kvguard-keys-"));
    try {
      const before = await startTestVault({ stateDir });
      const rsa = await before.clients().keys.createRsaKey("durable-rsa");
      const ec = await before.clients().keys.createEcKey("durable-ec", { curve: "P-384" });
      await before.clients().keys.updateKeyRotationPolicy("durable-rsa", { expiresIn: "P1Y", lifetimeActions: [] });
      await before.clients().crypto(ec.id!).sign("ES384", Buffer.alloc(48));
      await before.kv.close();

      const audited = readdirSync(before.kv.audit.rootDir, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith("PT1H.json"))
        .flatMap((file) => readFileSync(join(before.kv.audit.rootDir, file), "utf8").trim().split("\n"))
        .map((line) => JSON.parse(line) as { operationName: string; properties: { id?: string } });
      const ids = (operation: string) => audited.filter((r) => r.operationName === operation).map((r) => r.properties.id);
      expect(ids("KeyCreate")).toEqual(expect.arrayContaining([rsa.id, ec.id]));
      expect(ids("KeySign")).toEqual([ec.id]);
      expect(ids("KeyRotationPolicySet")).toEqual([`${before.url}/keys/durable-rsa/rotationpolicy`]);

      const after = await startTestVault({ stateDir });
      try {
        const data = Buffer.from("signed after restart");
        const rsaSignature = await after.clients().crypto(`${after.url}/keys/durable-rsa`).sign("PS256", createHash("sha256").update(data).digest());
        expect(rsaSignature.keyID).toBe(`${after.url}/keys/durable-rsa/${rsa.properties.version}`);
        const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
        expect(nodeVerify("sha256", data, { key: nodePublicKey(rsa), ...pss }, rsaSignature.result)).toBe(true);
        const ecSignature = await after.clients().crypto(ec.id!.replace(before.url, after.url)).sign("ES384", createHash("sha384").update(data).digest());
        expect(nodeVerify("sha384", data, { key: nodePublicKey(ec), dsaEncoding: "ieee-p1363" }, ecSignature.result)).toBe(true);
        expect((await after.clients().keys.getKeyRotationPolicy("durable-rsa")).expiresIn).toBe("P1Y");
      } finally {
        await after.kv.close();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
