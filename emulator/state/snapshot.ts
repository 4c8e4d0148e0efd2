/**
 * @module The emulator's persisted state: one JSON document, validated on load and written atomically
 * (temporary file, then rename) so a crash mid-write leaves the previous state intact.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { certificatePolicy, contact, issuer, pendingOperation } from "../certificates/model.js";

const attributes = z.object({
  enabled: z.boolean(),
  nbf: z.number().optional(),
  exp: z.number().optional(),
  created: z.number(),
  updated: z.number(),
});
const fired = z.object({ nearExpiry: z.boolean().optional(), expired: z.boolean().optional(), renewed: z.boolean().optional() }).optional();
const tags = z.record(z.string(), z.string()).optional();

/** Also in a certificate's backup blob, with the certificate's key and versions. */
export const secretVersion = z.object({
  version: z.string(),
  value: z.string(),
  contentType: z.string().optional(),
  managed: z.boolean().optional(),
  previousVersion: z.string().optional(),
  tags,
  attributes,
  fired,
});
/** Also the content of a key backup blob, so a restore is checked as strictly as a load. */
export const keyVersion = z.object({
  version: z.string(),
  kty: z.enum(["RSA", "RSA-HSM", "EC", "EC-HSM"]),
  jwk: z.record(z.string(), z.unknown()),
  keyOps: z.array(z.string()),
  exportable: z.boolean().optional(),
  releasePolicy: z.object({ contentType: z.string().optional(), immutable: z.boolean().optional(), data: z.string().optional() }).optional(),
  managed: z.boolean().optional(),
  tags,
  attributes,
  fired,
});
export const certificateVersion = z.object({
  version: z.string(),
  cer: z.string().optional(),
  preserveCertOrder: z.boolean().optional(),
  tags,
  attributes,
  fired,
});
export const keyRotationPolicy = z.object({
  lifetimeActions: z.array(
    z.object({
      trigger: z.object({ timeAfterCreate: z.string().optional(), timeBeforeExpiry: z.string().optional() }),
      action: z.object({ type: z.enum(["Rotate", "Notify"]) }),
    }),
  ),
  attributes: z.object({ expiryTime: z.string().optional(), created: z.number(), updated: z.number() }),
});

/** Also the shape ARM PUT/PATCH bodies are checked against. */
export const accessPolicy = z.object({
  tenantId: z.string(),
  objectId: z.string(),
  applicationId: z.string().optional(),
  permissions: z.object({
    keys: z.array(z.string()).optional(),
    secrets: z.array(z.string()).optional(),
    certificates: z.array(z.string()).optional(),
    storage: z.array(z.string()).optional(),
  }),
});
export const diagnosticSetting = z.object({
  name: z.string(),
  workspaceId: z.string().optional(),
  storageAccountId: z.string().optional(),
  eventHubAuthorizationRuleId: z.string().optional(),
  eventHubName: z.string().optional(),
  logs: z.array(
    z.object({
      category: z.string().optional(),
      categoryGroup: z.string().optional(),
      enabled: z.boolean(),
      retentionPolicy: z.object({ enabled: z.boolean(), days: z.number() }).optional(),
    }),
  ),
});

function store<T extends z.ZodType>(version: T) {
  const entry = z.object({ name: z.string(), versions: z.array(version), settlesAtMs: z.number().optional() });
  return z.object({
    live: z.array(entry),
    deleted: z.array(entry.extend({ deletedDate: z.number(), scheduledPurgeDate: z.number() })),
  });
}

export const vaultState = z.object({
  settings: z.object({
    name: z.string(),
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    tenantId: z.string(),
    softDeleteRetentionDays: z.number(),
    purgeProtection: z.boolean(),
    // Management-plane properties (ARM): optional, so states saved before they existed still load.
    softDelete: z.boolean().optional(),
    rbacAuthorization: z.boolean().optional(),
    publicNetworkAccess: z.string().optional(),
    networkAcls: z
      .object({
        defaultAction: z.enum(["Allow", "Deny"]),
        bypass: z.enum(["AzureServices", "None"]),
        ipRules: z.array(z.string()),
        virtualNetworkRules: z.array(z.string()),
      })
      .optional(),
    privateEndpointConnections: z
      .array(z.object({ name: z.string(), privateEndpointId: z.string(), status: z.enum(["Approved", "Pending", "Rejected", "Disconnected"]) }))
      .optional(),
    accessPolicies: z.array(accessPolicy).optional(),
    diagnosticSettings: z.array(diagnosticSetting).optional(),
    sku: z.string().optional(),
    location: z.string().optional(),
    enabledForDeployment: z.boolean().optional(),
    enabledForDiskEncryption: z.boolean().optional(),
    enabledForTemplateDeployment: z.boolean().optional(),
    tags: z.record(z.string(), z.string()).optional(),
    managementAccess: z.array(z.object({ principalId: z.string(), role: z.enum(["Reader", "Contributor"]) })).optional(),
  }),
  secrets: store(secretVersion),
  keys: store(keyVersion),
  keyRotationPolicies: z.record(z.string(), keyRotationPolicy),
  // Certificates: optional, so states saved before they were served still load.
  certificates: store(certificateVersion).optional(),
  certificatePolicies: z.record(z.string(), certificatePolicy).optional(),
  certificateOperations: z.record(z.string(), pendingOperation).optional(),
  certificateContacts: z.array(contact).optional(),
  certificateIssuers: z.array(issuer).optional(),
  roleAssignments: z.array(z.object({ principalId: z.string(), role: z.string(), scope: z.string().optional() })),
});

export const emulatorState = z.object({
  format: z.literal(1),
  clockOffsetSeconds: z.number(),
  backupKey: z.string(),
  vaults: z.array(vaultState),
  subscriptions: z.array(z.unknown()),
});
export type EmulatorState = z.infer<typeof emulatorState>;
export type VaultState = z.infer<typeof vaultState>;

const FILE = "state.json";

export async function readState(dir: string): Promise<EmulatorState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = emulatorState.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(`${join(dir, FILE)} is not a valid local Key Vault state: ${parsed.error.issues[0]?.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export async function writeState(dir: string, state: EmulatorState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${FILE}.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
  await rename(tmp, join(dir, FILE));
}
