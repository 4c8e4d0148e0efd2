/**
 * @module Least privilege in the templates (issue 15): each rule of `leastPrivilege.ts` holds for the
 * templates as written, and a mutation that breaks it (a broader role, a wider scope, basic auth back on, a
 * missing log, an open path, an export role beyond its topic or rule) makes its check fail. The custom key role's data actions are also checked
 * against the local Key Vault: they are exactly the actions it demanded of a real key rotation by kvguard; the
 * custom certificate role's likewise, of a real certificate renewal.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingRoutes } from "../../emulator/certificates/pendingRoutes.js";
import { certificateRoutes } from "../../emulator/certificates/routes.js";
import { keyRoutes } from "../../emulator/keys/routes.js";
import type { Route } from "../../emulator/http/route.js";
import { devClaims } from "../../src/azure/devCredential.js";
import { roleForVaultAction } from "../../src/doctor/fixes.js";
import { createRotationService } from "../../src/app/rotation.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { CERTIFICATE_RENEWAL_ACTIONS, CHECKS, KEY_ROTATION_ACTIONS, mutated, templates } from "./leastPrivilege.js";

const sources = templates();

describe("least privilege in the templates", () => {
  it.each(Object.keys(CHECKS))("%s holds", (name) => {
    expect(CHECKS[name as keyof typeof CHECKS](sources)).toEqual([]);
  });

  const MUTATIONS: { check: keyof typeof CHECKS; what: string; path: string; from: string | RegExp; to: string }[] = [
    {
      check: "keyRotationRole",
      what: "the key role may decrypt",
      path: "infra/modules/keyRotatorRole.bicep",
      from: "'Microsoft.KeyVault/vaults/keys/read'",
      to: "'Microsoft.KeyVault/vaults/keys/read'\n          'Microsoft.KeyVault/vaults/keys/decrypt/action'",
    },
    {
      check: "keyRotationRole",
      what: "the key role may unwrap and sign through a wildcard",
      path: "infra/modules/keyRotatorRole.bicep",
      from: "'Microsoft.KeyVault/vaults/keys/rotate/action'",
      to: "'Microsoft.KeyVault/vaults/keys/*'",
    },
    {
      check: "keyRotationRole",
      what: "the key role grants a control-plane action",
      path: "infra/modules/keyRotatorRole.bicep",
      from: "actions: []",
      to: "actions: ['Microsoft.KeyVault/vaults/read']",
    },
    { check: "keyRotationRole", what: "every vault gets the key role", path: "infra/modules/managedVault.bicep", from: "= if (rotatesKeys) {", to: "= {" },
    {
      check: "keyRotationRole",
      what: "Key Vault Crypto Officer is back",
      path: "infra/modules/managedVault.bicep",
      from: "roleDefinitionId: rotatorRoleId",
      to: "roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '14b46e9e-c2b7-41b4-b07b-48a6ebf60603')",
    },
    {
      check: "keyRotationRole",
      what: "vaults rotate keys unless told otherwise",
      path: "infra/main.bicep",
      from: "rotatesKeys: vault.?rotatesKeys ?? false",
      to: "rotatesKeys: vault.?rotatesKeys ?? true",
    },
    {
      check: "certificateRenewalRole",
      what: "the certificate role may import",
      path: "infra/modules/certificateRenewerRole.bicep",
      from: "'Microsoft.KeyVault/vaults/certificates/read'",
      to: "'Microsoft.KeyVault/vaults/certificates/read'\n          'Microsoft.KeyVault/vaults/certificates/import/action'",
    },
    {
      check: "certificateRenewalRole",
      what: "the certificate role may delete and change policies through a wildcard",
      path: "infra/modules/certificateRenewerRole.bicep",
      from: "'Microsoft.KeyVault/vaults/certificates/create/action'",
      to: "'Microsoft.KeyVault/vaults/certificates/*'",
    },
    {
      check: "certificateRenewalRole",
      what: "every vault gets the certificate role",
      path: "infra/modules/managedVault.bicep",
      from: "= if (renewsCertificates) {",
      to: "= {",
    },
    {
      check: "certificateRenewalRole",
      what: "Key Vault Certificates Officer is assigned instead",
      path: "infra/modules/managedVault.bicep",
      from: "roleDefinitionId: renewerRoleId",
      to: "roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a4417e6f-fecd-4de8-b567-7b0420556985')",
    },
    {
      check: "certificateRenewalRole",
      what: "vaults renew certificates unless told otherwise",
      path: "infra/main.bicep",
      from: "renewsCertificates: vault.?renewsCertificates ?? false",
      to: "renewsCertificates: vault.?renewsCertificates ?? true",
    },
    {
      check: "certificateRenewalRole",
      what: "the role is defined whether or not a vault renews certificates",
      path: "infra/main.bicep",
      from: "module certificateRenewerRole 'modules/certificateRenewerRole.bicep' = if (renewsCertificates) {",
      to: "module certificateRenewerRole 'modules/certificateRenewerRole.bicep' = {",
    },
    {
      check: "stateScopes",
      what: "blob writes are granted on the account",
      path: "infra/modules/stateAccess.bicep",
      from: "scope: written[i]",
      to: "scope: account",
    },
    {
      check: "stateScopes",
      what: "kvguard may write its own code package",
      path: "infra/modules/stateStorage.bicep",
      from: "'azure-webjobs-secrets']",
      to: "'azure-webjobs-secrets', 'app-package']",
    },
    {
      check: "stateScopes",
      what: "kvguard may write the policy file",
      path: "infra/modules/stateAccess.bicep",
      from: /2a2b9908-6ea1-4ae2-8e65-a410df84e7d1/g,
      to: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    },
    {
      check: "stateScopes",
      what: "kvguard's identity writes the package",
      path: "infra/modules/stateAccess.bicep",
      from: "principalId: deploymentPrincipalId",
      to: "principalId: principalId",
    },
    {
      check: "stateScopes",
      what: "the platform deploys with kvguard's identity",
      path: "infra/modules/functionApp.bicep",
      from: "{ type: 'UserAssignedIdentity', userAssignedIdentityResourceId: deploymentIdentityId }",
      to: "{ type: 'SystemAssignedIdentity' }",
    },
    {
      check: "stateScopes",
      what: "queues are granted on the account",
      path: "infra/modules/stateAccess.bicep",
      from: "scope: jobQueues[i]",
      to: "scope: account::queueService",
    },
    {
      check: "basicAuthOff",
      what: "SCM basic auth is on",
      path: "infra/modules/functionApp.bicep",
      from: "name: 'scm'\n  properties: { allow: false }",
      to: "name: 'scm'\n  properties: { allow: true }",
    },
    { check: "basicAuthOff", what: "the FTP policy is gone", path: "infra/modules/functionApp.bicep", from: "name: 'ftp'", to: "name: 'ftps'" },
    {
      check: "diagnostics",
      what: "the app's logs are off",
      path: "infra/modules/functionApp.bicep",
      from: "{ categoryGroup: 'allLogs', enabled: true }",
      to: "{ categoryGroup: 'allLogs', enabled: false }",
    },
    {
      check: "diagnostics",
      what: "table writes are not logged",
      path: "infra/modules/stateStorage.bicep",
      from: "scope: tableService",
      to: "scope: queueService",
    },
    {
      check: "diagnostics",
      what: "blob deletes are not logged",
      path: "infra/modules/stateStorage.bicep",
      from: "{ category: 'StorageDelete', enabled: true }",
      to: "{ category: 'StorageRead', enabled: true }",
    },
    {
      check: "diagnostics",
      what: "the state account logs go nowhere",
      path: "infra/main.bicep",
      from: "    accountName: 'stkvguard${take(resourceToken, 15)}'\n    workspaceId: monitoring.outputs.workspaceId",
      to: "    accountName: 'stkvguard${take(resourceToken, 15)}'\n    workspaceId: ''",
    },
    {
      check: "httpFront",
      what: "authentication is not required",
      path: "infra/modules/functionApp.bicep",
      from: "requireAuthentication: true",
      to: "requireAuthentication: false",
    },
    { check: "httpFront", what: "anonymous callers pass", path: "infra/modules/functionApp.bicep", from: "'Return401'", to: "'AllowAnonymous'" },
    {
      check: "httpFront",
      what: "rotate skips authentication",
      path: "infra/modules/functionApp.bicep",
      from: "excludedPaths: ['/runtime/webhooks/eventgrid']",
      to: "excludedPaths: ['/runtime/webhooks/eventgrid', '/api/rotate']",
    },
    { check: "httpFront", what: "tokens of any tenant pass", path: "infra/modules/functionApp.bicep", from: "${tenant().tenantId}/v2.0", to: "common/v2.0" },
    {
      check: "httpFront",
      what: "ranges are allowed but nothing denied",
      path: "infra/modules/functionApp.bicep",
      from: "restricted ? 'Deny' : 'Allow'",
      to: "'Allow'",
    },
    {
      check: "httpFront",
      what: "authentication is always off",
      path: "infra/main.bicep",
      from: "    httpAuthClientId: httpAuthClientId\n",
      to: "    httpAuthClientId: ''\n",
    },
    { check: "exportAccess", what: "Data Sender is granted on the resource group", path: "infra/modules/exportAccess.bicep", from: "  scope: topic\n", to: "" },
    {
      check: "exportAccess",
      what: "Data Sender is granted even without the topic",
      path: "infra/modules/exportAccess.bicep",
      from: "resource eventSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (exportsEvents && eventsKind == 'topic') {",
      to: "resource eventSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
    },
    {
      check: "exportAccess",
      what: "the namespace's Data Sender is on the whole namespace",
      path: "infra/modules/exportAccess.bicep",
      from: "  scope: namespace::namespaceTopic\n",
      to: "  scope: namespace\n",
    },
    {
      check: "exportAccess",
      what: "EventGrid Contributor replaces Data Sender",
      path: "infra/modules/exportAccess.bicep",
      from: /d5a91429-5739-47e2-a06b-3470a27159e7/g,
      to: "1e241071-0855-49ea-94dc-649edcd759de",
    },
    {
      check: "exportAccess",
      what: "the ingestion role is on the workspace's rule of another deployment",
      path: "infra/modules/exportAccess.bicep",
      from: "  scope: rule\n",
      to: "  scope: resourceGroup()\n",
    },
    {
      check: "exportAccess",
      what: "the topic takes keys",
      path: "infra/modules/exportEvents.bicep",
      from: "disableLocalAuth: true",
      to: "disableLocalAuth: false",
    },
    {
      check: "exportAccess",
      what: "events are exported unless told otherwise",
      path: "infra/main.bicep",
      from: "param exportEvents bool = false",
      to: "param exportEvents bool = true",
    },
    {
      check: "exportAccess",
      what: "the rule is made without exportLogs",
      path: "infra/main.bicep",
      from: "module exportRule 'modules/exportLogs.bicep' = if (exportLogs) {",
      to: "module exportRule 'modules/exportLogs.bicep' = {",
    },
  ];

  it.each(MUTATIONS)("$check fails when $what", ({ check, path, from, to }) => {
    expect(CHECKS[check](mutated(sources, path, from, to))).not.toEqual([]);
  });
});

describe("the custom roles against the local Key Vault", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(() => stack?.stop());

  /**
   * What the sweep and the worker do for one native object (list it, then run its job on demand): the
   * operations kvguard asked of Key Vault, from its audit log, and the data actions they map to.
   */
  async function demanded(kind: "key" | "certificate", name: string, routes: readonly Route[]): Promise<{ used: Set<string>; needed: string[] }> {
    const service = await createRotationService(stack.config, { env: stack.env, clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: () => undefined });
    const audit = stack.tv.kv.audit;
    await audit.close();
    const before = await operations(audit.rootDir);
    await service.sweep();
    const result = await service.engine.run({ v: 1, kind, vault: "local", name, trigger: "manual", requestedAt: new Date().toISOString() });
    expect(result.outcome).toBe("rotated");
    await audit.close();
    const prefix = kind === "key" ? "Key" : "Certificate";
    const used = (await operations(audit.rootDir)).slice(before.length).filter((op) => op.startsWith(prefix));
    const actionOf = new Map(routes.map((route) => [route.operation, route.action]));
    return { used: new Set(used), needed: [...new Set(used.map((op) => actionOf.get(op) ?? `unknown operation ${op}`))].sort() };
  }

  it("the key rotator grants exactly the data actions a key rotation by kvguard needs there, and none of the key's cryptography", async () => {
    const keys = stack.tv.clients({ name: "kvguard" }).keys;
    await keys.createRsaKey("rotating-key", { tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P30D" } });
    const { used, needed } = await demanded("key", "rotating-key", keyRoutes);
    expect(used).toEqual(new Set(["KeyList", "KeyGet", "KeyRotationPolicyGet", "KeyRotationPolicySet", "KeyRotate"]));
    expect(needed).toEqual(KEY_ROTATION_ACTIONS);
    for (const forbidden of ["decrypt", "unwrap", "sign", "encrypt", "wrap", "create", "import", "update", "delete", "backup", "release"]) {
      expect(KEY_ROTATION_ACTIONS.some((a) => a.endsWith(`/${forbidden}/action`) || a.endsWith(`/${forbidden}`))).toBe(false);
    }
  });

  it("the certificate renewer grants exactly the data actions a certificate renewal by kvguard needs there: no import, delete, backup, policy or issuer change", async () => {
    const certificates = stack.tv.clients({ name: "kvguard" }).certificates;
    await (
      await certificates.beginCreateCertificate("renewing-tls", { issuerName: "Self", subject: "CN=renewing.test", validityInMonths: 12 })
    ).pollUntilDone();
    const { used, needed } = await demanded("certificate", "renewing-tls", [...certificateRoutes, ...pendingRoutes]);
    expect(used).toEqual(new Set(["CertificateList", "CertificateGet", "CertificatePolicyGet", "CertificatePendingGet", "CertificateCreate"]));
    expect(needed).toEqual(CERTIFICATE_RENEWAL_ACTIONS);
  });

  it("is the role the doctor names when Key Vault refuses a certificate's new version", () => {
    const vault = "/subscriptions/1111/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
    expect(roleForVaultAction("Microsoft.KeyVault/vaults/certificates/create/action", vault).role).toBe("kvguard Certificate Renewer (1111)");
    expect(roleForVaultAction("Microsoft.KeyVault/vaults/certificates/read", vault).role).toBe("Key Vault Reader");
  });
});

/** kvguard's operations in the local Key Vault's audit archive, in the order written. */
async function operations(root: string): Promise<string[]> {
  const oid = devClaims({ name: "kvguard" }).oid;
  const files = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const records = (await Promise.all(files.map((f) => readFile(f, "utf8")))).flatMap((text) => text.split("\n").filter(Boolean));
  return records
    .map((line) => JSON.parse(line) as { operationName: string; identity?: { claim?: { oid?: string } } })
    .filter((r) => r.identity?.claim?.oid === oid)
    .map((r) => r.operationName);
}
