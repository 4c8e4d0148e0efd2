/**
 * @module The wire shapes of Key Vault's management plane as ARM serves them: a vault (`Microsoft.KeyVault/vaults`,
 * camelCase `properties`), its diagnostic settings (`Microsoft.Insights/diagnosticSettings`) and role
 * assignments (`Microsoft.Authorization/roleAssignments`); and the checks on a VaultPut/VaultPatch body, with
 * ARM's rules (purge protection and soft delete cannot be turned off once on; retention 7 to 90 days).
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { RoleAssignment, RoleName } from "../auth/rbac.js";
import type { SubscriptionView } from "../events/delivery.js";
import { accessPolicy, diagnosticSetting } from "../state/snapshot.js";
import { vaultProperties, type Vault, type VaultSettings } from "../vault.js";
import { CloudError } from "./host.js";

/** Built-in role definition ids (the same GUID in every subscription). */
export const ROLE_DEFINITION_IDS: Record<RoleName, string> = {
  "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
  "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Key Vault Crypto Officer": "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
  "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
  "Key Vault Certificates Officer": "a4417e6f-fecd-4de8-b567-7b0420556985",
  "Key Vault Certificate User": "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
};

/** A GUID-shaped id stable for its seed, as ARM names role assignments. */
function guidFrom(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The vault as `GET …/vaults/{name}` answers. Purge protection is absent, not false, until enabled, as in Azure. */
export function vaultResource(vault: Vault): Record<string, unknown> {
  const p = vaultProperties(vault.settings);
  return {
    id: vault.resourceId,
    name: vault.name,
    type: "Microsoft.KeyVault/vaults",
    location: p.location,
    tags: p.tags,
    properties: {
      tenantId: vault.settings.tenantId,
      sku: { family: "A", name: p.sku },
      accessPolicies: p.accessPolicies,
      vaultUri: `${vault.url}/`,
      enabledForDeployment: p.enabledForDeployment,
      enabledForDiskEncryption: p.enabledForDiskEncryption,
      enabledForTemplateDeployment: p.enabledForTemplateDeployment,
      enableSoftDelete: p.softDelete,
      softDeleteRetentionInDays: p.softDeleteRetentionDays,
      enableRbacAuthorization: p.rbacAuthorization,
      ...(p.purgeProtection ? { enablePurgeProtection: true } : {}),
      networkAcls: {
        defaultAction: p.networkAcls.defaultAction,
        bypass: p.networkAcls.bypass,
        ipRules: p.networkAcls.ipRules.map((value) => ({ value })),
        virtualNetworkRules: p.networkAcls.virtualNetworkRules.map((id) => ({ id })),
      },
      privateEndpointConnections: p.privateEndpointConnections.map((c) => ({
        id: `${vault.resourceId}/privateEndpointConnections/${c.name}`,
        properties: {
          privateEndpoint: { id: c.privateEndpointId },
          privateLinkServiceConnectionState: { status: c.status, description: "", actionsRequired: "None" },
          provisioningState: "Succeeded",
        },
      })),
      provisioningState: "Succeeded",
      publicNetworkAccess: p.publicNetworkAccess,
    },
  };
}

export function diagnosticSettingResource(vault: Vault, setting: NonNullable<VaultSettings["diagnosticSettings"]>[number]): Record<string, unknown> {
  const { name, logs, ...destinations } = setting;
  return {
    id: `${vault.resourceId}/providers/microsoft.insights/diagnosticSettings/${name}`,
    name,
    type: "Microsoft.Insights/diagnosticSettings",
    properties: { ...destinations, logs, metrics: [] },
  };
}

/**
 * One of the emulator's event subscriptions as Event Grid's ARM lists a vault's (`eventSubscriptions`
 * listByResource, api-version 2022-06-15): a webhook destination shown without its query, the filter, the
 * schema and the retry policy.
 */
export function eventSubscriptionResource(vault: Vault, s: SubscriptionView): Record<string, unknown> {
  return {
    id: `${vault.resourceId}/providers/Microsoft.EventGrid/eventSubscriptions/${s.name}`,
    name: s.name,
    type: "Microsoft.EventGrid/eventSubscriptions",
    properties: {
      topic: vault.resourceId,
      provisioningState: s.provisioningState,
      destination: { endpointType: "WebHook", properties: { endpointBaseUrl: s.endpointBaseUrl } },
      filter: {
        ...(s.includedEventTypes ? { includedEventTypes: s.includedEventTypes } : {}),
        subjectBeginsWith: s.subjectBeginsWith,
        subjectEndsWith: s.subjectEndsWith,
        isSubjectCaseSensitive: s.isSubjectCaseSensitive,
      },
      eventDeliverySchema: s.schema,
      retryPolicy: { maxDeliveryAttempts: s.maxDeliveryAttempts, eventTimeToLiveInMinutes: s.eventTimeToLiveMinutes },
    },
  };
}

/** An assignment scoped to one object reports that object's ARM id as its scope, as Azure does. */
export function roleAssignmentResource(vault: Vault, assignment: RoleAssignment): Record<string, unknown> {
  const scope = `${vault.resourceId}${assignment.scope ?? ""}`;
  const name = guidFrom(`${scope}|${assignment.principalId}|${assignment.role}`.toLowerCase());
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      scope,
      roleDefinitionId: `/subscriptions/${vault.settings.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLE_DEFINITION_IDS[assignment.role]}`,
      principalId: assignment.principalId,
    },
  };
}

const networkAcls = z.object({
  defaultAction: z.enum(["Allow", "Deny"]).optional(),
  bypass: z.enum(["AzureServices", "None"]).optional(),
  ipRules: z.array(z.object({ value: z.string() })).optional(),
  virtualNetworkRules: z.array(z.object({ id: z.string() })).optional(),
});

const vaultPropertiesBody = z.object({
  tenantId: z.string().optional(),
  sku: z.object({ family: z.string().optional(), name: z.enum(["standard", "premium"]) }).optional(),
  accessPolicies: z.array(accessPolicy).optional(),
  enabledForDeployment: z.boolean().optional(),
  enabledForDiskEncryption: z.boolean().optional(),
  enabledForTemplateDeployment: z.boolean().optional(),
  enableSoftDelete: z.boolean().optional(),
  softDeleteRetentionInDays: z.number().int().min(7).max(90).optional(),
  enableRbacAuthorization: z.boolean().optional(),
  enablePurgeProtection: z.boolean().optional(),
  networkAcls: networkAcls.optional(),
  publicNetworkAccess: z.enum(["Enabled", "Disabled", "enabled", "disabled"]).optional(),
});

export const vaultPutBody = z.object({
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: vaultPropertiesBody.extend({ tenantId: z.string(), sku: vaultPropertiesBody.shape.sku.unwrap() }),
});
export const vaultPatchBody = z.object({ tags: z.record(z.string(), z.string()).optional(), properties: vaultPropertiesBody.optional() });
export const diagnosticSettingBody = z.object({
  properties: diagnosticSetting.omit({ name: true }).extend({
    logs: diagnosticSetting.shape.logs.default([]),
    metrics: z.array(z.unknown()).optional(),
  }),
});

type PropertiesBody = z.output<typeof vaultPropertiesBody>;

/**
 * The settings after a PUT (`replace`: what the body leaves out returns to the defaults) or a PATCH (merge).
 * @throws CloudError 400 when the body turns off purge protection or soft delete
 */
export function applyVaultBody(
  current: VaultSettings,
  body: { tags?: Record<string, string>; location?: string; properties?: PropertiesBody },
  replace: boolean,
): VaultSettings {
  const p = body.properties ?? {};
  if (current.purgeProtection && p.enablePurgeProtection === false) {
    throw new CloudError(
      400,
      "BadRequest",
      'The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.',
    );
  }
  if ((current.softDelete ?? true) && p.enableSoftDelete === false) {
    throw new CloudError(400, "BadRequest", 'The property "enableSoftDelete" cannot be set to false. Soft delete cannot be turned off once enabled.');
  }
  const base: VaultSettings = replace
    ? {
        name: current.name,
        subscriptionId: current.subscriptionId,
        resourceGroup: current.resourceGroup,
        tenantId: current.tenantId,
        softDeleteRetentionDays: current.softDeleteRetentionDays,
        purgeProtection: current.purgeProtection,
        softDelete: current.softDelete ?? true,
        ...(current.diagnosticSettings ? { diagnosticSettings: current.diagnosticSettings } : {}),
        ...(current.managementAccess ? { managementAccess: current.managementAccess } : {}),
        ...(current.privateEndpointConnections ? { privateEndpointConnections: current.privateEndpointConnections } : {}),
      }
    : { ...current };
  const acls = p.networkAcls;
  const currentAcls = vaultProperties(base).networkAcls;
  return {
    ...base,
    ...(body.location !== undefined && replace ? { location: body.location } : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
    ...(p.sku ? { sku: p.sku.name } : {}),
    ...(p.accessPolicies ? { accessPolicies: p.accessPolicies } : {}),
    ...(p.enabledForDeployment !== undefined ? { enabledForDeployment: p.enabledForDeployment } : {}),
    ...(p.enabledForDiskEncryption !== undefined ? { enabledForDiskEncryption: p.enabledForDiskEncryption } : {}),
    ...(p.enabledForTemplateDeployment !== undefined ? { enabledForTemplateDeployment: p.enabledForTemplateDeployment } : {}),
    ...(p.enableSoftDelete !== undefined ? { softDelete: p.enableSoftDelete } : {}),
    ...(p.softDeleteRetentionInDays !== undefined ? { softDeleteRetentionDays: p.softDeleteRetentionInDays } : {}),
    ...(p.enableRbacAuthorization !== undefined ? { rbacAuthorization: p.enableRbacAuthorization } : {}),
    ...(p.enablePurgeProtection ? { purgeProtection: true } : {}),
    ...(p.publicNetworkAccess
      ? { publicNetworkAccess: p.publicNetworkAccess === "disabled" || p.publicNetworkAccess === "Disabled" ? "Disabled" : "Enabled" }
      : {}),
    ...(acls
      ? {
          networkAcls: {
            defaultAction: acls.defaultAction ?? currentAcls.defaultAction,
            bypass: acls.bypass ?? currentAcls.bypass,
            ipRules: acls.ipRules ? acls.ipRules.map((r) => r.value) : currentAcls.ipRules,
            virtualNetworkRules: acls.virtualNetworkRules ? acls.virtualNetworkRules.map((r) => r.id) : currentAcls.virtualNetworkRules,
          },
        }
      : {}),
  };
}
