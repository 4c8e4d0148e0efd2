/**
 * @module Key Vault's management plane on the local cloud, over the local Key Vault's vaults: the vault
 * resource (get, list by subscription and resource group, createOrUpdate = VaultPut, update = VaultPatch),
 * its diagnostic settings (`Microsoft.Insights`), its Event Grid event subscriptions (the emulator's, read only) and its role assignments (`Microsoft.Authorization`, from the
 * vault's data-plane RBAC assignments), in ARM's JSON shapes, so `@azure/arm-keyvault`, `@azure/arm-monitor`
 * and `@azure/arm-authorization` run unchanged. VaultGet/VaultPut/VaultPatch are audited as Key Vault does.
 * A PUT cannot create a vault: the vaults are the ones the local Key Vault serves.
 * Access: a vault with `managementAccess` entries admits only those principals (Reader reads, Contributor
 * also writes); others get ARM's 403 AuthorizationFailed. Without entries, every caller is admitted.
 */
import type { Identity } from "../auth/identity.js";
import { accessPolicyChangedEvent } from "../events/bus.js";
import type { LocalKeyVault } from "../localKeyVault.js";
import type { AccessPolicy, Vault, VaultSettings } from "../vault.js";
import { authorizationFailed, parseArmBody, resourceNotFound } from "./armScope.js";
import { requireSubscriptionRead } from "./subscriptions.js";
import { CloudError, type CloudRequest, type CloudResponse, type CloudRoute } from "./host.js";
import {
  applyVaultBody,
  diagnosticSettingBody,
  diagnosticSettingResource,
  eventSubscriptionResource,
  roleAssignmentResource,
  vaultPatchBody,
  vaultPutBody,
  vaultResource,
} from "./keyVaultArmShapes.js";

const VAULTS = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.KeyVault/vaults";
const VAULT = `${VAULTS}/{vaultName}`;
const DIAGNOSTICS = `${VAULT}/providers/Microsoft.Insights/diagnosticSettings`;

type Access = "read" | "write";

function canAccess(vault: Vault, identity: Identity | undefined, access: Access): boolean {
  const entries = vault.settings.managementAccess ?? [];
  if (entries.length === 0) return true;
  return entries.some((e) => e.principalId === identity?.oid && (access === "read" || e.role === "Contributor"));
}

/** The vault a request names, checked against subscription, resource group and the caller's access. */
function vaultFor(kv: LocalKeyVault, request: CloudRequest, access: Access, action: string): Vault {
  const { subscriptionId, resourceGroup, vaultName } = request.params;
  const vault = kv.vaults.get(vaultName!.toLowerCase());
  const found =
    vault &&
    vault.settings.subscriptionId.toLowerCase() === subscriptionId!.toLowerCase() &&
    vault.settings.resourceGroup.toLowerCase() === resourceGroup!.toLowerCase();
  if (!found) throw resourceNotFound("Microsoft.KeyVault/vaults", vaultName!, resourceGroup!);
  if (!canAccess(vault, request.identity, access)) throw authorizationFailed(request.identity, action, vault.resourceId);
  return vault;
}

function audit(
  kv: LocalKeyVault,
  vault: Vault,
  request: CloudRequest,
  operation: string,
  extra: { added?: AccessPolicy[]; removed?: AccessPolicy[] } = {},
): void {
  const resource = vaultResource(vault);
  kv.auditManagement({
    timeMs: kv.clock.nowMs(),
    resourceId: vault.resourceId,
    operationName: operation,
    apiVersion: request.query.get("api-version") ?? "",
    status: 200,
    durationMs: 0,
    callerIp: "127.0.0.1",
    correlationId: String(request.headers["x-ms-client-request-id"] ?? ""),
    ...(request.identity ? { claims: request.identity.claims } : {}),
    objectId: `${vault.url}/`,
    requestUri: `${request.baseUrl}${vault.resourceId}?${request.query.toString()}`,
    clientInfo: String(request.headers["user-agent"] ?? ""),
    vaultProperties: resource.properties as Record<string, unknown>,
    ...(extra.added?.length ? { addedAccessPolicy: extra.added.map(auditPolicy) } : {}),
    ...(extra.removed?.length ? { removedAccessPolicy: extra.removed.map(auditPolicy) } : {}),
  });
}

/** Access-policy entries as Key Vault's audit records name them. */
function auditPolicy(policy: AccessPolicy): Record<string, unknown> {
  return {
    ObjectId: policy.objectId,
    TenantId: policy.tenantId,
    ...(policy.applicationId ? { ApplicationId: policy.applicationId } : {}),
    Permissions: policy.permissions,
  };
}

/** Entries in `a` whose object (and app) id is not in `b`. */
function policiesMissing(a: AccessPolicy[], b: AccessPolicy[]): AccessPolicy[] {
  const key = (p: AccessPolicy) => `${p.objectId}|${p.applicationId ?? ""}`.toLowerCase();
  const keys = new Set(b.map(key));
  return a.filter((p) => !keys.has(key(p)));
}

function writeVault(kv: LocalKeyVault, vault: Vault, request: CloudRequest, next: VaultSettings, operation: "VaultPut" | "VaultPatch"): CloudResponse {
  const before = vault.settings.accessPolicies ?? [];
  Object.assign(vault.settings, next);
  // A PUT replaces: properties it left out go back to their defaults.
  for (const key of Object.keys(vault.settings) as (keyof VaultSettings)[]) {
    if (!(key in next)) delete vault.settings[key];
  }
  const after = vault.settings.accessPolicies ?? [];
  const added = policiesMissing(after, before);
  const removed = policiesMissing(before, after);
  audit(kv, vault, request, operation, { added, removed });
  if (added.length || removed.length) kv.events.publish(accessPolicyChangedEvent(vault, kv.clock.nowMs()));
  kv.changed();
  return { body: vaultResource(vault) };
}

function listVaults(kv: LocalKeyVault, request: CloudRequest, resourceGroup?: string): CloudResponse {
  requireSubscriptionRead(kv, request, "Microsoft.KeyVault/vaults/read");
  const subscription = request.params.subscriptionId!.toLowerCase();
  const value = [...kv.vaults.values()]
    .filter((v) => v.settings.subscriptionId.toLowerCase() === subscription)
    .filter((v) => resourceGroup === undefined || v.settings.resourceGroup.toLowerCase() === resourceGroup.toLowerCase())
    // ARM lists only what the caller may read.
    .filter((v) => canAccess(v, request.identity, "read"))
    .map(vaultResource);
  return { body: { value } };
}

export function keyVaultArmRoutes(kv: LocalKeyVault): CloudRoute[] {
  return [
    {
      api: "arm",
      method: "GET",
      path: "/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/vaults",
      handle: (request) => listVaults(kv, request),
    },
    {
      api: "arm",
      method: "GET",
      path: VAULTS,
      handle: (request) => listVaults(kv, request, request.params.resourceGroup),
    },
    {
      api: "arm",
      method: "GET",
      path: VAULT,
      handle(request) {
        const vault = vaultFor(kv, request, "read", "Microsoft.KeyVault/vaults/read");
        audit(kv, vault, request, "VaultGet");
        return { body: vaultResource(vault) };
      },
    },
    {
      api: "arm",
      method: "PUT",
      path: VAULT,
      handle(request) {
        const vault = vaultFor(kv, request, "write", "Microsoft.KeyVault/vaults/write");
        const body = parseArmBody(vaultPutBody, request.body);
        return writeVault(kv, vault, request, applyVaultBody(vault.settings, body, true), "VaultPut");
      },
    },
    {
      api: "arm",
      method: "PATCH",
      path: VAULT,
      handle(request) {
        const vault = vaultFor(kv, request, "write", "Microsoft.KeyVault/vaults/write");
        const body = parseArmBody(vaultPatchBody, request.body);
        return writeVault(kv, vault, request, applyVaultBody(vault.settings, body, false), "VaultPatch");
      },
    },
    {
      api: "arm",
      method: "GET",
      path: DIAGNOSTICS,
      handle(request) {
        const vault = vaultFor(kv, request, "read", "Microsoft.Insights/diagnosticSettings/read");
        return { body: { value: (vault.settings.diagnosticSettings ?? []).map((s) => diagnosticSettingResource(vault, s)) } };
      },
    },
    {
      api: "arm",
      method: "GET",
      path: `${VAULT}/providers/Microsoft.EventGrid/eventSubscriptions`,
      handle(request) {
        const vault = vaultFor(kv, request, "read", "Microsoft.EventGrid/eventSubscriptions/read");
        // A subscription without a vault filter takes every vault's events.
        const value = kv.delivery
          .list()
          .filter((s) => !s.vaults || s.vaults.some((v) => v.toLowerCase() === vault.name.toLowerCase()))
          .map((s) => eventSubscriptionResource(vault, s));
        return { body: { value } };
      },
    },
    {
      api: "arm",
      method: "GET",
      path: `${DIAGNOSTICS}/{name}`,
      handle(request) {
        const vault = vaultFor(kv, request, "read", "Microsoft.Insights/diagnosticSettings/read");
        const setting = (vault.settings.diagnosticSettings ?? []).find((s) => s.name.toLowerCase() === request.params.name!.toLowerCase());
        if (!setting) throw new CloudError(404, "ResourceNotFound", `The diagnostic setting '${request.params.name}' doesn't exist.`);
        return { body: diagnosticSettingResource(vault, setting) };
      },
    },
    {
      api: "arm",
      method: "PUT",
      path: `${DIAGNOSTICS}/{name}`,
      handle(request) {
        const vault = vaultFor(kv, request, "write", "Microsoft.Insights/diagnosticSettings/write");
        const { metrics: _metrics, ...properties } = parseArmBody(diagnosticSettingBody, request.body).properties;
        const name = request.params.name!;
        const setting = { name, ...properties };
        vault.settings.diagnosticSettings = [...(vault.settings.diagnosticSettings ?? []).filter((s) => s.name.toLowerCase() !== name.toLowerCase()), setting];
        kv.changed();
        return { body: diagnosticSettingResource(vault, setting) };
      },
    },
    {
      api: "arm",
      method: "DELETE",
      path: `${DIAGNOSTICS}/{name}`,
      handle(request) {
        const vault = vaultFor(kv, request, "write", "Microsoft.Insights/diagnosticSettings/delete");
        const before = vault.settings.diagnosticSettings ?? [];
        vault.settings.diagnosticSettings = before.filter((s) => s.name.toLowerCase() !== request.params.name!.toLowerCase());
        kv.changed();
        return { status: before.length === vault.settings.diagnosticSettings.length ? 204 : 200 };
      },
    },
    {
      api: "arm",
      method: "GET",
      path: `${VAULT}/providers/Microsoft.Authorization/roleAssignments`,
      handle(request) {
        const vault = vaultFor(kv, request, "read", "Microsoft.Authorization/roleAssignments/read");
        // As ARM lists a scope: its assignments and those below it (one secret, key or certificate), unless
        // `$filter=atScope()` asks for the scope's own; `principalId eq '…'` narrows.
        const filter = request.query.get("$filter") ?? "";
        const principal = /principalId\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
        const atScope = /atScope\(\)/i.test(filter);
        const value = vault.roleAssignments
          .filter((a) => !atScope || a.scope === undefined)
          .filter((a) => principal === undefined || a.principalId.toLowerCase() === principal.toLowerCase())
          .map((a) => roleAssignmentResource(vault, a));
        return { body: { value } };
      },
    },
  ];
}
