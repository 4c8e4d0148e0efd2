/**
 * @module Azure built-in roles a Key Vault access review names: their definition ids (the same in every
 * subscription), which grant data-plane access, and which make a principal a custodian (able to create,
 * change or destroy key material). Access policies are named `Access policy: keys[…] secrets[…]`.
 */

const BUILT_IN_ROLES: Record<string, string> = {
  "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
  "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
  "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
  "14b46e9e-c2b7-41b4-b07b-48a6ebf60603": "Key Vault Crypto Officer",
  "12338af0-0e69-4776-bea7-57ae8d297424": "Key Vault Crypto User",
  "e147488a-f6f5-4113-8e2d-b22465e65bf6": "Key Vault Crypto Service Encryption User",
  "a4417e6f-fecd-4de8-b567-7b0420556985": "Key Vault Certificates Officer",
  "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba": "Key Vault Certificate User",
  "21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
  "f25e0fa2-a7c8-4377-a976-54943a77a395": "Key Vault Contributor",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
};

const CUSTODIAN_ROLES = new Set(["Key Vault Administrator", "Key Vault Secrets Officer", "Key Vault Crypto Officer", "Key Vault Certificates Officer"]);
/** Control-plane roles: they manage the vault resource but grant no key or secret data access by themselves. */
const CONTROL_PLANE_ROLES = new Set(["Key Vault Contributor", "Owner", "Contributor", "Reader", "User Access Administrator"]);
const WRITING_PERMISSIONS = /\b(all|set|delete|purge|create|import|update|restore|recover|rotate|setrotationpolicy)\b/i;

/** The role's name from a `roleDefinitionId` (a full id or the GUID); the GUID itself when not a known built-in. */
export function roleName(roleDefinitionId: string): string {
  const guid = roleDefinitionId.split("/").pop()!.toLowerCase();
  return BUILT_IN_ROLES[guid] ?? guid;
}

/** Whether a role gives data-plane access (unknown custom roles count, to be reviewed). */
export function isDataRole(role: string): boolean {
  return !CONTROL_PLANE_ROLES.has(role);
}

export function isCustodianRole(role: string): boolean {
  if (CUSTODIAN_ROLES.has(role)) return true;
  return /^access policy:/i.test(role) && WRITING_PERMISSIONS.test(role);
}

export function accessPolicyRole(permissions: { keys?: string[]; secrets?: string[]; certificates?: string[]; storage?: string[] }): string {
  const parts = Object.entries(permissions)
    .filter(([, list]) => list && list.length > 0)
    .map(([kind, list]) => `${kind}[${(list ?? []).join(",")}]`);
  return `Access policy: ${parts.join(" ") || "none"}`;
}
