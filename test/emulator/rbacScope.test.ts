/**
 * @module Role assignments scoped like Azure RBAC: one secret, key or certificate (all its versions), not
 * only the vault. The SDK acts as the identities holding them; the emulator's admin API takes the scope
 * relative or as the object's full ARM id and answers it normalised.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devClaims, type DevIdentity } from "../../src/azure/devCredential.js";
import { certificateClient } from "../helpers/certificates.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";
import { rejection } from "../helpers/rejection.js";
import { admin } from "../helpers/webhookReceiver.js";

const operator: DevIdentity = { name: "scope-operator" };
const appA: DevIdentity = { name: "scope-app-a" };
const appB: DevIdentity = { name: "scope-app-b" };
const poll = { intervalInMs: 10 };
let tv: TestVault;

beforeAll(async () => {
  tv = await startTestVault({ vaults: ["scoped"] });
  const { secrets, keys } = tv.clients(operator);
  // Set up while the vault has no assignments (open), then lock it down.
  await secrets.setSecret("app-a-db", "a-password");
  await secrets.setSecret("app-b-db", "b-password");
  await keys.createEcKey("app-a-signing");
  await keys.createEcKey("app-b-signing");
  const certs = certificateClient(tv, operator);
  for (const name of ["app-a-tls", "app-b-tls"])
    await (await certs.beginCreateCertificate(name, { issuerName: "Self", subject: `CN=${name}` }, poll)).pollUntilDone();
  const vault = tv.kv.vaults.get("scoped")!;
  const res = await admin(tv.kv, "PUT", "/management/vaults/scoped/roleAssignments", [
    { principalId: devClaims(operator).oid, role: "Key Vault Administrator" },
    { principalId: devClaims(appA).oid, role: "Key Vault Secrets User", scope: "/secrets/app-a-db" },
    { principalId: devClaims(appA).oid, role: "Key Vault Crypto User", scope: `${vault.resourceId}/keys/app-a-signing` },
    { principalId: devClaims(appA).oid, role: "Key Vault Certificate User", scope: "/certificates/APP-A-TLS" },
    { principalId: devClaims(appB).oid, role: "Key Vault Secrets Officer", scope: "/secrets/app-b-db" },
  ]);
  expect(res.status).toBe(200);
});
afterAll(() => tv.kv.close());

describe("a role assignment scoped to one object", () => {
  it("answers the scopes normalised, relative to the vault", async () => {
    const res = await admin<{ principalId: string; scope?: string }[]>(tv.kv, "GET", "/management/vaults/scoped/roleAssignments");
    expect(res.body.map((a) => a.scope)).toEqual([undefined, "/secrets/app-a-db", "/keys/app-a-signing", "/certificates/APP-A-TLS", "/secrets/app-b-db"]);
  });

  it("grants its role on that secret, all versions, and nothing else; listing needs the vault scope", async () => {
    const { secrets } = tv.clients(appA);
    expect((await secrets.getSecret("app-a-db")).value).toBe("a-password");
    const versions = [];
    for await (const v of secrets.listPropertiesOfSecretVersions("app-a-db")) versions.push(v.version);
    expect(versions).toHaveLength(1);
    const other = await rejection(secrets.getSecret("app-b-db"));
    expect([other.statusCode, other.code]).toEqual([403, "Forbidden"]);
    expect(other.message).toMatch(/Action: 'Microsoft.KeyVault\/vaults\/secrets\/getSecret\/action'/);
    expect((await rejection(secrets.setSecret("app-a-db", "changed"))).statusCode).toBe(403);
    const list = secrets.listPropertiesOfSecrets();
    expect((await rejection(list.next())).statusCode).toBe(403);
  });

  it("lets an officer scoped to one secret write and delete that secret only", async () => {
    const { secrets } = tv.clients(appB);
    await secrets.setSecret("app-b-db", "b-rotated");
    expect((await secrets.getSecret("app-b-db")).value).toBe("b-rotated");
    expect((await rejection(secrets.setSecret("app-a-db", "stolen"))).statusCode).toBe(403);
    expect((await rejection(secrets.setSecret("brand-new", "x"))).statusCode).toBe(403);
    await (await secrets.beginDeleteSecret("app-b-db", poll)).pollUntilDone();
    await (await secrets.beginRecoverDeletedSecret("app-b-db", poll)).pollUntilDone();
    expect((await tv.clients(appA).secrets.getSecret("app-a-db")).value).toBe("a-password");
  });

  it("scopes keys given by their full ARM id: sign with that key, not another", async () => {
    const signing = await tv.clients(operator).keys.getKey("app-a-signing");
    const other = await tv.clients(operator).keys.getKey("app-b-signing");
    const digest = new Uint8Array(32);
    expect((await tv.clients(appA).crypto(signing.id!).sign("ES256", digest)).result.length).toBeGreaterThan(0);
    expect((await rejection(tv.clients(appA).crypto(other.id!).sign("ES256", digest))).statusCode).toBe(403);
  });

  it("scopes a certificate with its own key and secret, case-insensitively, and not other certificates", async () => {
    const certs = certificateClient(tv, appA);
    expect((await certs.getCertificate("app-a-tls")).name).toBe("app-a-tls");
    expect((await tv.clients(appA).secrets.getSecret("app-a-tls")).properties.managed).toBe(true);
    expect((await tv.clients(appA).keys.getKey("app-a-tls")).name).toBe("app-a-tls");
    expect((await rejection(certs.getCertificate("app-b-tls"))).statusCode).toBe(403);
    expect((await rejection(tv.clients(appA).secrets.getSecret("app-b-tls"))).statusCode).toBe(403);
    expect((await rejection(certs.listPropertiesOfCertificates().next())).statusCode).toBe(403);
  });

  it("refuses a scope outside the vault or not naming one object with 400, leaving the assignments as they were", async () => {
    for (const scope of [
      "/subscriptions/other/resourceGroups/x/providers/Microsoft.KeyVault/vaults/other/secrets/a",
      "/secrets",
      "/storage/x",
      "/secrets/bad_name",
    ]) {
      const res = await admin<{ error: { message: string } }>(tv.kv, "PUT", "/management/vaults/scoped/roleAssignments", [
        { principalId: "p", role: "Key Vault Reader", scope },
      ]);
      expect(res.status, scope).toBe(400);
      expect(res.body.error.message).toMatch(/scope/);
    }
    expect((await tv.clients(appA).secrets.getSecret("app-a-db")).value).toBe("a-password");
  });
});
