/**
 * @module Behaviours Azure SDK's own tests assert, through the SDK: a soft delete and a recover take a
 * moment (measured on the vault's clock here, so no test races real time) during which the object reads as
 * absent and its name cannot be reused, and their pollers can be observed, stopped and resumed; an unknown
 * name's versions list empty; a corrupt backup gets Key Vault's message; key release and release policies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LRO_SECONDS, LocalKeyVault } from "../../emulator/index.js";
import { certificateClient } from "../helpers/certificates.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";

const poll = { intervalInMs: 10 };
const MOMENT = 3600;

describe("the long-running moment of a delete and a recover", () => {
  let tv: TestVault;
  beforeAll(async () => {
    tv = await startTestVault({ lroSeconds: MOMENT });
  });
  afterAll(() => tv.kv.close());

  it("keeps a secret's delete under way: absent everywhere, name taken, poller resumable", async () => {
    const { secrets } = tv.clients();
    await secrets.setSecret("slow-secret", "v");
    const poller = await secrets.beginDeleteSecret("slow-secret", poll);
    expect(poller.getResult()).toMatchObject({ name: "slow-secret", recoveryId: `${tv.url}/deletedsecrets/slow-secret` });
    await poller.poll();
    expect(poller.isDone()).toBe(false);
    expect((await rejection(secrets.getSecret("slow-secret"))).statusCode).toBe(404);
    expect((await rejection(secrets.getDeletedSecret("slow-secret"))).statusCode).toBe(404);
    const listed: string[] = [];
    for await (const d of secrets.listDeletedSecrets()) listed.push(d.name);
    expect(listed).not.toContain("slow-secret");
    const reuse = await rejection(secrets.setSecret("slow-secret", "again"));
    expect([reuse.statusCode, reuse.message]).toEqual([409, "Secret slow-secret is currently being deleted and cannot be re-created; retry later."]);

    const stopped = poller.pollUntilDone().catch((e: unknown) => e);
    poller.stopPolling();
    expect(((await stopped) as Error).name).toBe("PollerStoppedError");
    const resumed = await secrets.beginDeleteSecret("slow-secret", { resumeFrom: poller.toString(), ...poll });
    expect(resumed.isDone()).toBe(false);
    tv.kv.clock.advance(MOMENT);
    const deleted = await resumed.pollUntilDone();
    expect(deleted.name).toBe("slow-secret");
    expect((await secrets.getDeletedSecret("slow-secret")).name).toBe("slow-secret");
  });

  it("keeps a secret's recover under way: not yet readable, then readable", async () => {
    const { secrets } = tv.clients();
    await secrets.setSecret("slow-recover", "v");
    const deleting = await secrets.beginDeleteSecret("slow-recover", poll);
    tv.kv.clock.advance(MOMENT);
    await deleting.pollUntilDone();
    const recovering = await secrets.beginRecoverDeletedSecret("slow-recover", poll);
    expect(recovering.getOperationState().isStarted).toBe(true);
    await recovering.poll();
    expect(recovering.isDone()).toBe(false);
    expect((await rejection(secrets.getSecret("slow-recover"))).statusCode).toBe(404);
    expect((await rejection(secrets.getDeletedSecret("slow-recover"))).statusCode).toBe(404);
    expect((await rejection(secrets.setSecret("slow-recover", "x"))).statusCode).toBe(409);
    tv.kv.clock.advance(MOMENT);
    expect((await recovering.pollUntilDone()).name).toBe("slow-recover");
    expect((await secrets.getSecret("slow-recover")).value).toBe("v");
  });

  it("does the same for a key's delete and recover", async () => {
    const { keys } = tv.clients();
    await keys.createEcKey("slow-key");
    const deleting = await keys.beginDeleteKey("slow-key", poll);
    await deleting.poll();
    expect(deleting.isDone()).toBe(false);
    expect((await rejection(keys.getDeletedKey("slow-key"))).statusCode).toBe(404);
    expect((await rejection(keys.createEcKey("slow-key"))).statusCode).toBe(409);
    tv.kv.clock.advance(MOMENT);
    await deleting.pollUntilDone();
    const recovering = await keys.beginRecoverDeletedKey("slow-key", poll);
    await recovering.poll();
    expect(recovering.isDone()).toBe(false);
    expect((await rejection(keys.getKey("slow-key"))).statusCode).toBe(404);
    tv.kv.clock.advance(MOMENT);
    expect((await recovering.pollUntilDone()).name).toBe("slow-key");
  });

  it("does the same for a certificate, its key and its secret together", async () => {
    const certs = certificateClient(tv);
    const creating = await certs.beginCreateCertificate("slow-cert", { issuerName: "Self", subject: "CN=slow" }, poll);
    tv.kv.clock.advance(MOMENT);
    await creating.pollUntilDone();
    const deleting = await certs.beginDeleteCertificate("slow-cert", poll);
    await deleting.poll();
    expect(deleting.isDone()).toBe(false);
    expect((await rejection(certs.getDeletedCertificate("slow-cert"))).statusCode).toBe(404);
    expect((await rejection(tv.clients().secrets.getDeletedSecret("slow-cert"))).statusCode).toBe(404);
    const reuse = await rejection(certs.beginCreateCertificate("slow-cert", { issuerName: "Self", subject: "CN=x" }, poll));
    expect([reuse.statusCode, reuse.message]).toEqual([409, "Certificate slow-cert is currently being deleted and cannot be re-created; retry later."]);
    tv.kv.clock.advance(MOMENT);
    await deleting.pollUntilDone();
    const recovering = await certs.beginRecoverDeletedCertificate("slow-cert", poll);
    expect(recovering.isDone()).toBe(false);
    expect((await rejection(tv.clients().secrets.getSecret("slow-cert"))).statusCode).toBe(404);
    tv.kv.clock.advance(MOMENT);
    expect((await recovering.pollUntilDone()).name).toBe("slow-cert");
    expect((await tv.clients().secrets.getSecret("slow-cert")).properties.managed).toBe(true);
  });

  it("is a few seconds by default for the emulator, and never negative", async () => {
    expect(DEFAULT_LRO_SECONDS).toBeGreaterThanOrEqual(1);
    expect(DEFAULT_LRO_SECONDS).toBeLessThanOrEqual(5);
    const kv = await LocalKeyVault.start();
    try {
      expect(kv.lroMs).toBe(DEFAULT_LRO_SECONDS * 1000);
    } finally {
      await kv.close();
    }
    await expect(LocalKeyVault.start({ lroSeconds: -1 })).rejects.toThrow(/lroSeconds/);
  });
});

describe("lists, backups and key release", () => {
  let tv: TestVault;
  beforeAll(async () => {
    tv = await startTestVault();
  });
  afterAll(() => tv.kv.close());

  it("lists the versions of a name that does not exist as empty, for secrets, keys and certificates", async () => {
    const { secrets, keys } = tv.clients();
    const collect = async (pages: AsyncIterable<unknown[]>) => {
      const items: unknown[] = [];
      for await (const page of pages) items.push(...page);
      return items;
    };
    expect(await collect(secrets.listPropertiesOfSecretVersions("never-set").byPage())).toEqual([]);
    expect(await collect(keys.listPropertiesOfKeyVersions("never-made").byPage())).toEqual([]);
    expect(await collect(certificateClient(tv).listPropertiesOfCertificateVersions("never-made").byPage())).toEqual([]);
  });

  it("refuses a corrupt backup, or one of another kind, with Key Vault's message", async () => {
    const { secrets, keys } = tv.clients();
    const message = "Backup blob contains invalid or corrupt version.";
    for (const attempt of [secrets.restoreSecretBackup(new Uint8Array(4728)), keys.restoreKeyBackup(new Uint8Array(4728))]) {
      const error = await rejection(attempt);
      expect([error.statusCode, error.code, error.message]).toEqual([400, "BadParameter", message]);
    }
    await secrets.setSecret("backed-up", "v");
    const secretBackup = await secrets.backupSecret("backed-up");
    expect((await rejection(keys.restoreKeyBackup(secretBackup!))).message).toBe(message);
  });

  it("answers key release as a vault without a release policy does, and checks release policies", async () => {
    const { keys } = tv.clients();
    await keys.createRsaKey("no-release");
    const refused = await rejection(keys.releaseKey("no-release", "header.payload.signature"));
    expect([refused.statusCode, refused.code]).toEqual([400, "BadParameter"]);
    expect(refused.message).toMatch(/no key release policy/);
    expect((await rejection(keys.releaseKey("never-made", "header.payload.signature"))).code).toBe("KeyNotFound");

    const policy = { encodedPolicy: new TextEncoder().encode(JSON.stringify({ anyOf: [], version: "1.0.0" })) };
    expect((await rejection(keys.createRsaKey("policy-no-export", { releasePolicy: policy }))).message).toMatch(/exportable/i);
    expect((await rejection(keys.createRsaKey("export-no-policy", { exportable: true }))).message).toMatch(/exportable/i);
    await keys.createRsaKey("immutable", { exportable: true, releasePolicy: { ...policy, immutable: true } });
    expect((await rejection(keys.updateKeyProperties("immutable", { releasePolicy: policy }))).message).toMatch(/Immutable Key Release/);
    const noAttestation = await rejection(keys.releaseKey("immutable", "header.payload.signature"));
    expect(noAttestation.message).toMatch(/attestation/);
  });
});
