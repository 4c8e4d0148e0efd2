/**
 * @module The local cloud's Key Vault management plane through the real `@azure/arm-keyvault`,
 * `@azure/arm-monitor` and `@azure/arm-authorization` clients: vault properties with their defaults and
 * seeded values, VaultPut/VaultPatch with ARM's rules and their audit records, diagnostic settings, role
 * assignments from the vault's RBAC, 403 AuthorizationFailed for a denied caller, and persistence.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalCloud, type LocalCloud } from "../../emulator/cloud/index.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID, LocalKeyVault } from "../../emulator/index.js";
import { fromAuditEvent } from "../../src/audit/parse/archive.js";
import { armClientOptions } from "../../src/azure/cloudClients.js";
import { DevTokenCredential, devClaims } from "../../src/azure/devCredential.js";
import { createArmClients, type ArmClients } from "../../src/compliance/armClients.js";
import { statusOf } from "../../src/common/errors.js";
import { startTestVault, type TestVault } from "../helpers/localVault.js";

const outsider = { name: "arm-outsider" };
const reader = { name: "arm-reader" };
const readerOid = devClaims(reader).oid!;

function clients(kv: LocalKeyVault, cloud: LocalCloud, identity = { name: "arm-admin" }): ArmClients {
  const options = armClientOptions({ armEndpoint: cloud.url, graphEndpoint: cloud.url, authorityHost: cloud.url }, kv.tls.caPem);
  return createArmClients(new DevTokenCredential(identity), LOCAL_SUBSCRIPTION_ID, { ...options, retryOptions: { maxRetries: 0 } });
}

function auditLines(kv: LocalKeyVault): { operationName: string; properties: Record<string, unknown> }[] {
  const files = readdirSync(kv.audit.rootDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return files.flatMap((f) =>
    readFileSync(join(f.parentPath, f.name), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { operationName: string; properties: Record<string, unknown> }),
  );
}

describe("local cloud: Key Vault management plane", () => {
  let tv: TestVault;
  let cloud: LocalCloud;
  let arm: ArmClients;

  beforeAll(async () => {
    tv = await startTestVault({
      vaults: [
        "plain",
        {
          name: "hardened",
          purgeProtection: true,
          softDeleteRetentionDays: 30,
          publicNetworkAccess: "Disabled",
          networkAcls: { defaultAction: "Deny", bypass: "None", ipRules: ["10.0.0.0/24"], virtualNetworkRules: [] },
          privateEndpointConnections: [
            { name: "pe1", privateEndpointId: "/subscriptions/x/resourceGroups/n/providers/Microsoft.Network/privateEndpoints/pe1", status: "Approved" },
          ],
          diagnosticSettings: [
            {
              name: "to-workspace",
              workspaceId: "/subscriptions/x/resourceGroups/m/providers/Microsoft.OperationalInsights/workspaces/logs",
              logs: [{ category: "AuditEvent", enabled: true }],
            },
          ],
          sku: "premium",
        },
        { name: "locked", managementAccess: [{ principalId: readerOid, role: "Reader" }] },
      ],
    });
    cloud = await startLocalCloud({ kv: tv.kv });
    arm = clients(tv.kv, cloud);
  });

  afterAll(async () => {
    await cloud.close();
    await tv.kv.close();
  });

  it("serves a local vault's defaults: soft delete 90 days, no purge protection, RBAC, public network open", async () => {
    const vault = await arm.keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "plain");
    expect(vault.id).toBe(`/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/plain`);
    expect(vault.type).toBe("Microsoft.KeyVault/vaults");
    expect(vault.properties).toMatchObject({
      vaultUri: `${tv.kv.urls.plain}/`,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: true,
      publicNetworkAccess: "Enabled",
      networkAcls: { defaultAction: "Allow", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
      privateEndpointConnections: [],
      sku: { family: "A", name: "standard" },
    });
    // As in Azure: never enabled is absent, not false.
    expect(vault.properties.enablePurgeProtection).toBeUndefined();
  });

  it("serves seeded properties, and lists by subscription and resource group", async () => {
    const vault = await arm.keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "hardened");
    expect(vault.properties).toMatchObject({
      enablePurgeProtection: true,
      softDeleteRetentionInDays: 30,
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny", bypass: "None", ipRules: [{ value: "10.0.0.0/24" }] },
      sku: { name: "premium" },
    });
    const [connection] = vault.properties.privateEndpointConnections ?? [];
    expect(connection?.privateEndpoint?.id).toMatch(/privateEndpoints\/pe1$/);
    expect(connection?.privateLinkServiceConnectionState?.status).toBe("Approved");
    const names = async (it: AsyncIterable<{ name?: string }>) => {
      const out: string[] = [];
      for await (const v of it) out.push(v.name!);
      return out.sort();
    };
    // "locked" admits only its reader: ARM lists what the caller may read.
    expect(await names(arm.keyVault.vaults.listBySubscription())).toEqual(["hardened", "plain"]);
    expect(await names(arm.keyVault.vaults.listByResourceGroup(LOCAL_RESOURCE_GROUP))).toEqual(["hardened", "plain"]);
    expect(await names(clients(tv.kv, cloud, reader).keyVault.vaults.listBySubscription())).toEqual(["hardened", "locked", "plain"]);
    expect(await names(arm.keyVault.vaults.listByResourceGroup("elsewhere"))).toEqual([]);
    await expect(arm.keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "missing")).rejects.toMatchObject({ statusCode: 404 });
  });

  it("applies VaultPut and VaultPatch with ARM's rules, and audits them with the vault's properties", async () => {
    const current = await arm.keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "plain");
    const policy = { tenantId: current.properties.tenantId, objectId: "11111111-2222-4333-8444-555555555555", permissions: { secrets: ["get", "list"] } };
    const put = await arm.keyVault.vaults.createOrUpdate(LOCAL_RESOURCE_GROUP, "plain", {
      location: "local",
      properties: {
        tenantId: current.properties.tenantId,
        sku: { family: "A", name: "standard" },
        enableRbacAuthorization: false,
        accessPolicies: [policy],
        enablePurgeProtection: true,
      },
    });
    expect(put.properties).toMatchObject({
      enableRbacAuthorization: false,
      enablePurgeProtection: true,
      accessPolicies: [expect.objectContaining({ objectId: policy.objectId })],
    });
    const patched = await arm.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "plain", {
      properties: { publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny" } },
    });
    expect(patched.properties).toMatchObject({
      publicNetworkAccess: "Disabled",
      networkAcls: { defaultAction: "Deny", bypass: "AzureServices" },
      enableRbacAuthorization: false,
    });
    // Irreversible settings stay on.
    await expect(arm.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "plain", { properties: { enablePurgeProtection: false } })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(arm.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "plain", { properties: { enableSoftDelete: false } })).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(arm.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "plain", { properties: { softDeleteRetentionInDays: 3 } })).rejects.toMatchObject({
      statusCode: 400,
    });
    // The data plane sees the purge protection turned on through ARM.
    expect(tv.kv.vaults.get("plain")!.settings.purgeProtection).toBe(true);

    await tv.kv.audit.close();
    const records = auditLines(tv.kv);
    const vaultPut = records.find((r) => r.operationName === "VaultPut");
    expect(vaultPut?.properties.properties).toMatchObject({ enableRbacAuthorization: false, enablePurgeProtection: true });
    expect(vaultPut?.properties.addedAccessPolicy).toEqual([expect.objectContaining({ ObjectId: policy.objectId })]);
    const vaultPatch = records.find((r) => r.operationName === "VaultPatch");
    expect(vaultPatch?.properties.properties).toMatchObject({ publicNetworkAccess: "Disabled", networkAcls: { defaultAction: "Deny" } });
    expect(records.some((r) => r.operationName === "VaultGet")).toBe(true);
    // The audit pipeline reads the settings and the access-policy change off these records.
    const parsed = fromAuditEvent(vaultPatch);
    expect(parsed.vaultConfig).toMatchObject({
      publicNetworkAccess: "Disabled",
      networkDefaultAction: "Deny",
      enablePurgeProtection: true,
      enableRbacAuthorization: false,
    });
    expect(fromAuditEvent(vaultPut).policyChange).toEqual({ added: [policy.objectId], removed: [] });
  });

  it("serves diagnostic settings through arm-monitor", async () => {
    const hardened = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/hardened`;
    const list = await arm.monitor.diagnosticSettings.list(hardened.slice(1));
    expect(list.value?.map((s) => [s.name, s.workspaceId, s.logs?.map((l) => [l.category, l.enabled])])).toEqual([
      ["to-workspace", "/subscriptions/x/resourceGroups/m/providers/Microsoft.OperationalInsights/workspaces/logs", [["AuditEvent", true]]],
    ]);
    const plain = hardened.replace("hardened", "plain").slice(1);
    expect((await arm.monitor.diagnosticSettings.list(plain)).value).toEqual([]);
    await arm.monitor.diagnosticSettings.createOrUpdate(plain, "to-storage", {
      storageAccountId: "/subscriptions/x/resourceGroups/s/providers/Microsoft.Storage/storageAccounts/logs",
      logs: [{ category: "AuditEvent", enabled: false }],
    });
    expect((await arm.monitor.diagnosticSettings.list(plain)).value).toEqual([
      expect.objectContaining({ name: "to-storage", logs: [expect.objectContaining({ enabled: false })] }),
    ]);
    // categoryGroup is newer than arm-monitor 7's model (its serializer drops it on PUT), yet a listed one reaches the caller.
    tv.kv.vaults.get("plain")!.settings.diagnosticSettings = [{ name: "to-storage", workspaceId: "/w", logs: [{ categoryGroup: "audit", enabled: true }] }];
    const [grouped] = (await arm.monitor.diagnosticSettings.list(plain)).value ?? [];
    expect(grouped?.logs?.[0]).toMatchObject({ categoryGroup: "audit", enabled: true });
    await arm.monitor.diagnosticSettings.delete(plain, "to-storage");
    expect((await arm.monitor.diagnosticSettings.list(plain)).value).toEqual([]);
  });

  it("maps the vault's RBAC assignments to role assignments with the built-in role definition ids", async () => {
    const admin = devClaims({ name: "kv-admin" }).oid!;
    const app = devClaims({ name: "kv-app" }).oid!;
    tv.kv.setRoleAssignments(tv.kv.vaults.get("hardened")!, [
      { principalId: admin, role: "Key Vault Administrator" },
      { principalId: app, role: "Key Vault Secrets User" },
    ]);
    const scope = `subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/hardened`;
    const assignments = [];
    for await (const a of arm.authorization.roleAssignments.listForScope(scope)) assignments.push(a);
    expect(assignments.map((a) => [a.principalId, a.roleDefinitionId?.split("/").pop(), a.scope])).toEqual([
      [admin, "00482a5a-887f-4fb3-b363-3b7fe8e74483", `/${scope}`],
      [app, "4633458b-17de-408a-b874-0445c86b69e6", `/${scope}`],
    ]);
    const filtered = [];
    for await (const a of arm.authorization.roleAssignments.listForScope(scope, { filter: `principalId eq '${app}'` })) filtered.push(a);
    expect(filtered).toHaveLength(1);
  });

  it("reports an assignment scoped to one secret or certificate with that object's scope, and leaves it out at atScope()", async () => {
    const owner = devClaims({ name: "kv-owner" }).oid!;
    const app = devClaims({ name: "kv-scoped-app" }).oid!;
    const vault = tv.kv.vaults.get("hardened")!;
    tv.kv.setRoleAssignments(vault, [
      { principalId: owner, role: "Key Vault Administrator" },
      { principalId: app, role: "Key Vault Secrets User", scope: "/secrets/app-db" },
      { principalId: app, role: "Key Vault Certificate User", scope: "/certificates/app-tls" },
    ]);
    const scope = vault.resourceId.slice(1);
    const all = [];
    for await (const a of arm.authorization.roleAssignments.listForScope(scope)) all.push(a);
    expect(all.map((a) => [a.principalId, a.roleDefinitionId?.split("/").pop(), a.scope])).toEqual([
      [owner, "00482a5a-887f-4fb3-b363-3b7fe8e74483", vault.resourceId],
      [app, "4633458b-17de-408a-b874-0445c86b69e6", `${vault.resourceId}/secrets/app-db`],
      [app, "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", `${vault.resourceId}/certificates/app-tls`],
    ]);
    expect(all[1]!.id).toMatch(new RegExp(`^${vault.resourceId}/secrets/app-db/providers/Microsoft.Authorization/roleAssignments/`));
    const atScope = [];
    for await (const a of arm.authorization.roleAssignments.listForScope(scope, { filter: "atScope()" })) atScope.push(a.principalId);
    expect(atScope).toEqual([owner]);
  });

  it("answers 403 AuthorizationFailed to a caller without management access, and lists only readable vaults", async () => {
    const denied = clients(tv.kv, cloud, outsider);
    const error: unknown = await denied.keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "locked").catch((e: unknown) => e);
    expect(statusOf(error)).toBe(403);
    expect((error as { code?: string }).code).toBe("AuthorizationFailed");
    await expect(denied.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "locked", { tags: { a: "b" } })).rejects.toMatchObject({ statusCode: 403 });
    const visible: string[] = [];
    for await (const v of denied.keyVault.vaults.listBySubscription()) visible.push(v.name!);
    expect(visible).not.toContain("locked");
    const allowed = clients(tv.kv, cloud, reader);
    expect((await allowed.keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "locked")).name).toBe("locked");
    // Reader reads, but may not write.
    await expect(allowed.keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "locked", { tags: { a: "b" } })).rejects.toMatchObject({ statusCode: 403 });
  });

  it("keeps properties changed through ARM across a restart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "kvguard-arm-state-"));
    let kv = await LocalKeyVault.start({ stateDir, vaults: ["keeper"] });
    let local = await startLocalCloud({ kv });
    await clients(kv, local).keyVault.vaults.update(LOCAL_RESOURCE_GROUP, "keeper", {
      properties: { enablePurgeProtection: true, publicNetworkAccess: "Disabled" },
    });
    await local.close();
    await kv.close();
    kv = await LocalKeyVault.start({ stateDir, vaults: ["keeper"] });
    local = await startLocalCloud({ kv });
    const vault = await clients(kv, local).keyVault.vaults.get(LOCAL_RESOURCE_GROUP, "keeper");
    expect(vault.properties).toMatchObject({ enablePurgeProtection: true, publicNetworkAccess: "Disabled" });
    await local.close();
    await kv.close();
  });
});
