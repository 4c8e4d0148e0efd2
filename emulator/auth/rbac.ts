/**
 * @module Azure RBAC for the data plane: the built-in Key Vault roles and the data actions each grants.
 * A vault with no role assignments lets every authenticated caller in (the emulator's open default); once
 * a vault has assignments, a request outside them is 403 ForbiddenByRbac, with Key Vault's message.
 */
import { KvError } from "../http/errors.js";
import { describeCaller, type Identity } from "./identity.js";

export const ROLES = {
  "Key Vault Administrator": ["Microsoft.KeyVault/vaults/*"],
  "Key Vault Secrets Officer": ["Microsoft.KeyVault/vaults/secrets/*"],
  "Key Vault Secrets User": [
    "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
  ],
  "Key Vault Crypto Officer": ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"],
  "Key Vault Crypto User": [
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/keys/update/action",
    "Microsoft.KeyVault/vaults/keys/backup/action",
    "Microsoft.KeyVault/vaults/keys/encrypt/action",
    "Microsoft.KeyVault/vaults/keys/decrypt/action",
    "Microsoft.KeyVault/vaults/keys/wrap/action",
    "Microsoft.KeyVault/vaults/keys/unwrap/action",
    "Microsoft.KeyVault/vaults/keys/sign/action",
    "Microsoft.KeyVault/vaults/keys/verify/action",
  ],
  "Key Vault Reader": [
    "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
  ],
} as const satisfies Record<string, readonly string[]>;

export type RoleName = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as RoleName[];

export interface RoleAssignment {
  /** Object id of the principal (the token's `oid`). */
  principalId: string;
  role: RoleName;
}

function grants(pattern: string, action: string): boolean {
  return pattern.endsWith("/*") ? action.startsWith(pattern.slice(0, -1)) : pattern === action;
}

export function isAuthorized(assignments: readonly RoleAssignment[], identity: Identity, action: string): boolean {
  if (assignments.length === 0) return true;
  return assignments.some(
    (a) => a.principalId === identity.oid && ROLES[a.role].some((pattern) => grants(pattern, action)),
  );
}

export function forbiddenByRbac(identity: Identity, action: string, vaultResourceId: string, vaultName: string): KvError {
  return new KvError(
    403,
    "Forbidden",
    [
      "Caller is not authorized to perform action on resource.",
      "If role assignments were recently changed, please wait several minutes for role assignments to become effective.",
      `Caller: ${describeCaller(identity)}`,
      `Action: '${action}'`,
      `Resource: '${vaultResourceId.toLowerCase()}'`,
      "Assignment: (not found)",
      "DecisionReason: 'DeniedWithNoValidRBAC' ",
      `Vault: ${vaultName};location=local`,
      "",
    ].join("\r\n"),
    "ForbiddenByRbac",
  );
}
