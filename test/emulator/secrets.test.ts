import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";
import { DAY_MS } from "../../src/common/duration.js";

let tv: TestVault;
let secrets: ReturnType<TestVault["clients"]>["secrets"];
const poll = { intervalInMs: 10 };

beforeAll(async () => {
  tv = await startTestVault();
  secrets = tv.clients().secrets;
});
afterAll(() => tv.kv.close());

describe("set and get", () => {
  it("stores value, content type, tags and attributes, and returns them by latest and by version", async () => {
    const exp = new Date(Math.floor(Date.now() / 1000) * 1000 + DAY_MS);
    const set = await secrets.setSecret("db-password", "s3cr3t-1", {
      contentType: "text/plain",
      tags: { CredentialId: "app-user", ValidityPeriodDays: "60" },
      expiresOn: exp,
    });
    expect(set.properties.id).toBe(`${tv.url}/secrets/db-password/${set.properties.version}`);
    expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(set.properties.vaultUrl).toBe(tv.url);

    const latest = await secrets.getSecret("db-password");
    expect(latest.value).toBe("s3cr3t-1");
    expect(latest.properties.contentType).toBe("text/plain");
    expect(latest.properties.tags).toEqual({ CredentialId: "app-user", ValidityPeriodDays: "60" });
    expect(latest.properties.expiresOn?.getTime()).toBe(exp.getTime());
    expect(latest.properties.enabled).toBe(true);
    expect(latest.properties.recoveryLevel).toBe("Recoverable+Purgeable");
    expect(latest.properties.recoverableDays).toBe(90);
    expect(latest.properties.createdOn).toBeInstanceOf(Date);

    const second = await secrets.setSecret("db-password", "s3cr3t-2");
    expect((await secrets.getSecret("db-password")).value).toBe("s3cr3t-2");
    const first = await secrets.getSecret("db-password", { version: set.properties.version! });
    expect(first.value).toBe("s3cr3t-1");
    expect(second.properties.version).not.toBe(set.properties.version);
  });

  it("treats names case-insensitively, as Key Vault does", async () => {
    await secrets.setSecret("Mixed-Case", "v");
    expect((await secrets.getSecret("mixed-case")).value).toBe("v");
  });

  it("keeps unicode and a 25 KB value intact, and refuses a larger one with 400", async () => {
    const unicode = "päss-wörd-☃-\u{1F511}";
    await secrets.setSecret("unicode", unicode);
    expect((await secrets.getSecret("unicode")).value).toBe(unicode);
    const max = "x".repeat(25 * 1024);
    await secrets.setSecret("big", max);
    expect((await secrets.getSecret("big")).value).toHaveLength(25 * 1024);
    const error = await rejection(secrets.setSecret("big", max + "x"));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("BadParameter");
  });

  it("refuses bad names, more than 15 tags and nbf after exp with 400 BadParameter", async () => {
    expect((await rejection(secrets.setSecret("bad_name", "v"))).statusCode).toBe(400);
    const tags = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`t${i}`, "v"]));
    const tooMany = await rejection(secrets.setSecret("tags", "v", { tags }));
    expect(tooMany.code).toBe("BadParameter");
    expect(tooMany.message).toMatch(/15 tags/);
    const now = Date.now();
    const backwards = await rejection(secrets.setSecret("dates", "v", { notBefore: new Date(now + 10_000), expiresOn: new Date(now) }));
    expect(backwards.code).toBe("BadParameter");
  });

  it("answers 404 SecretNotFound for an unknown name or version", async () => {
    const missing = await rejection(secrets.getSecret("never-set"));
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe("SecretNotFound");
    await secrets.setSecret("known", "v");
    const badVersion = await rejection(secrets.getSecret("known", { version: "0".repeat(32) }));
    expect(badVersion.statusCode).toBe(404);
  });
});

describe("properties", () => {
  it("updates tags, content type and attributes of a version without a new version", async () => {
    const set = await secrets.setSecret("props", "v", { tags: { a: "1" } });
    const updated = await secrets.updateSecretProperties("props", set.properties.version!, {
      tags: { a: "2", b: "3" },
      contentType: "application/json",
    });
    expect(updated.tags).toEqual({ a: "2", b: "3" });
    expect(updated.contentType).toBe("application/json");
    const versions = [];
    for await (const v of secrets.listPropertiesOfSecretVersions("props")) versions.push(v);
    expect(versions).toHaveLength(1);
  });

  it("forbids reading a disabled version with 403 and allows it again once enabled", async () => {
    const set = await secrets.setSecret("disabled", "hidden");
    await secrets.updateSecretProperties("disabled", set.properties.version!, { enabled: false });
    const error = await rejection(secrets.getSecret("disabled"));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe("Forbidden");
    expect(error.message).toBe("Operation get is not allowed on a disabled secret.");
    await secrets.updateSecretProperties("disabled", set.properties.version!, { enabled: true });
    expect((await secrets.getSecret("disabled")).value).toBe("hidden");
  });
});

describe("listing", () => {
  it("pages names and versions 25 at a time, without values", async () => {
    const other = await startTestVault();
    try {
      const client = other.clients().secrets;
      for (let i = 0; i < 30; i++) await client.setSecret(`s-${String(i).padStart(2, "0")}`, `value-${i}`);
      for (let i = 0; i < 27; i++) await client.setSecret("versioned", `v${i}`);
      const pages: number[] = [];
      for await (const page of client.listPropertiesOfSecrets().byPage()) pages.push(page.length);
      expect(pages).toEqual([25, 6]);
      const names = [];
      for await (const p of client.listPropertiesOfSecrets()) {
        expect(p).not.toHaveProperty("value");
        expect(p.version).toBeUndefined();
        names.push(p.name);
      }
      expect(names).toContain("s-29");
      const versionPages: number[] = [];
      for await (const page of client.listPropertiesOfSecretVersions("versioned").byPage({ maxPageSize: 10 })) {
        versionPages.push(page.length);
        for (const v of page) expect(v.version).toMatch(/^[0-9a-f]{32}$/);
      }
      expect(versionPages).toEqual([10, 10, 7]);
    } finally {
      await other.kv.close();
    }
  });
});

describe("soft delete", () => {
  it("deletes into the recycle bin, blocks the name with 409, recovers with all versions", async () => {
    await secrets.setSecret("recoverable", "one");
    await secrets.setSecret("recoverable", "two");
    const deleted = await (await secrets.beginDeleteSecret("recoverable", poll)).pollUntilDone();
    expect(deleted.recoveryId).toBe(`${tv.url}/deletedsecrets/recoverable`);
    expect(deleted.deletedOn).toBeInstanceOf(Date);
    expect(deleted.scheduledPurgeDate!.getTime() - deleted.deletedOn!.getTime()).toBe(90 * DAY_MS);

    expect((await rejection(secrets.getSecret("recoverable"))).statusCode).toBe(404);
    const conflict = await rejection(secrets.setSecret("recoverable", "three"));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.code).toBe("Conflict");

    const listed = [];
    for await (const d of secrets.listDeletedSecrets()) listed.push(d.name);
    expect(listed).toContain("recoverable");
    expect((await secrets.getDeletedSecret("recoverable")).name).toBe("recoverable");

    await (await secrets.beginRecoverDeletedSecret("recoverable", poll)).pollUntilDone();
    expect((await secrets.getSecret("recoverable")).value).toBe("two");
    let count = 0;
    for await (const _ of secrets.listPropertiesOfSecretVersions("recoverable")) count++;
    expect(count).toBe(2);
  });

  it("purges a deleted secret for good, freeing the name", async () => {
    await secrets.setSecret("purgeable", "v");
    await (await secrets.beginDeleteSecret("purgeable", poll)).pollUntilDone();
    await secrets.purgeDeletedSecret("purgeable");
    expect((await rejection(secrets.getDeletedSecret("purgeable"))).statusCode).toBe(404);
    expect((await rejection(secrets.purgeDeletedSecret("purgeable"))).statusCode).toBe(404);
    await secrets.setSecret("purgeable", "fresh");
    expect((await secrets.getSecret("purgeable")).value).toBe("fresh");
  });

  it("purges automatically on the scheduled purge date when the clock passes it", async () => {
    const short = await startTestVault({ vaults: [{ name: "short-retention", softDeleteRetentionDays: 7 }] });
    try {
      const client = short.clients().secrets;
      await client.setSecret("temp", "v");
      await (await client.beginDeleteSecret("temp", poll)).pollUntilDone();
      short.kv.clock.advance(7 * 86_400 + 1);
      expect((await rejection(client.getDeletedSecret("temp"))).statusCode).toBe(404);
    } finally {
      await short.kv.close();
    }
  });

  it("refuses purge with 403 when the vault has purge protection", async () => {
    const protectedVault = await startTestVault({ vaults: [{ name: "protected", purgeProtection: true }] });
    try {
      const client = protectedVault.clients().secrets;
      const set = await client.setSecret("kept", "v");
      expect(set.properties.recoveryLevel).toBe("Recoverable");
      await (await client.beginDeleteSecret("kept", poll)).pollUntilDone();
      const error = await rejection(client.purgeDeletedSecret("kept"));
      expect(error.statusCode).toBe(403);
    } finally {
      await protectedVault.kv.close();
    }
  });
});

describe("backup and restore", () => {
  it("restores every version from an opaque blob that does not contain the value", async () => {
    await secrets.setSecret("backed-up", "first-value");
    await secrets.setSecret("backed-up", "second-value");
    const blob = await secrets.backupSecret("backed-up");
    expect(blob).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(blob!).toString("latin1")).not.toContain("second-value");

    const restoreConflict = await rejection(secrets.restoreSecretBackup(blob!));
    expect(restoreConflict.statusCode).toBe(409);

    await (await secrets.beginDeleteSecret("backed-up", poll)).pollUntilDone();
    await secrets.purgeDeletedSecret("backed-up");
    const restored = await secrets.restoreSecretBackup(blob!);
    expect(restored.name).toBe("backed-up");
    expect((await secrets.getSecret("backed-up")).value).toBe("second-value");

    const corrupt = await rejection(secrets.restoreSecretBackup(new Uint8Array([1, 2, 3])));
    expect(corrupt.statusCode).toBe(400);
  });
});
