/**
 * @module From an error to its fix. Key Vault's 403 ForbiddenByRbac names the data action it refused, the
 * vault's resource id and the caller, so the fix names the exact role kvguard needs for that action and
 * the scope to grant it on. Storage and Log Analytics refusals map to their data roles; network errors and
 * deadlines to the endpoint to check.
 */
import { statusOf } from "../common/errors.js";
import { DeadlineError } from "./check.js";

/**
 * The role kvguard's features need for a refused Key Vault data action, and the feature. Key rotation and
 * certificate renewal need the custom roles infra/ defines in the vault's subscription (keyRotatorRole.bicep:
 * rotation without any cryptographic operation; certificateRenewerRole.bicep: a new version and nothing
 * else), named after that subscription.
 */
export function roleForVaultAction(action: string, vaultResourceId?: string): { role: string; feature: string } {
  const a = action.toLowerCase();
  if (a.includes("/vaults/secrets/")) return { role: "Key Vault Secrets Officer", feature: "rotation reads, writes and disables secret versions" };
  const subscription = /\/subscriptions\/([^/]+)\//i.exec(vaultResourceId ?? "")?.[1] ?? "<subscription id>";
  if (a.includes("/vaults/keys/") || a.includes("/vaults/keyrotationpolicies/")) {
    return {
      role: `kvguard Key Rotator (${subscription})`,
      feature: "the keyvault-key rotator sets rotation policies and rotates keys; infra/ defines this role when a vault has rotatesKeys: true",
    };
  }
  if (a.endsWith("/vaults/certificates/create/action")) {
    return {
      role: `kvguard Certificate Renewer (${subscription})`,
      feature: "the keyvault-certificate rotator creates a certificate's new version; infra/ defines this role when a vault has renewsCertificates: true",
    };
  }
  return { role: "Key Vault Reader", feature: "compliance reads vault properties" };
}

/** `az role assignment create` for one role on one scope. */
export function grantCommand(role: string, scope: string, principalId?: string): string {
  const assignee = principalId ? `--assignee-object-id ${principalId} --assignee-principal-type ServicePrincipal` : "--assignee <kvguard's principal id>";
  return `az role assignment create --role "${role}" ${assignee} --scope ${scope}`;
}

export interface VaultRefusal {
  action: string;
  /** The vault's resource id as Key Vault reports it. */
  resource?: string;
  /** The caller's object id, from the message. */
  oid?: string;
  /** True for a vault on the access-policy model (no RBAC decision in the message). */
  accessPolicy: boolean;
}

/**
 * A refused listing, explained by a single request refused the same way: the SDK's paging replaces Key
 * Vault's message (which names the vault's resource id and the caller) with its own.
 */
export class ListRefused extends Error {
  constructor(
    readonly action: string,
    readonly explained: unknown,
  ) {
    super(`listing refused: ${action}`);
    this.name = "ListRefused";
  }
}

/** The parts of a Key Vault 403, or undefined when the error is not one. */
export function vaultRefusal(error: unknown): VaultRefusal | undefined {
  if (error instanceof ListRefused) {
    const explained = vaultRefusal(error.explained);
    return explained ? { ...explained, action: error.action } : { action: error.action, accessPolicy: false };
  }
  if (statusOf(error) !== 403) return undefined;
  const message = (error as Error).message;
  const action = /Action:\s*'([^']+)'/.exec(message)?.[1];
  const resource = /Resource:\s*'([^']+)'/.exec(message)?.[1];
  const oid = /\boid=([0-9a-f-]{36})/i.exec(message)?.[1];
  return {
    action: action ?? "",
    ...(resource ? { resource } : {}),
    ...(oid ? { oid } : {}),
    accessPolicy: !action && /access polic|does not have .* permission/i.test(message),
  };
}

export interface VaultFixContext {
  vaultName: string;
  vaultUrl: string;
  /** kvguard's principal id, when the identity check found it. */
  principalId?: string;
  /** The action the check attempted, when Key Vault's message does not name it. */
  attempted: string;
}

/** The detail and fix of a failed vault check. */
export function diagnoseVault(error: Error, context: VaultFixContext): { detail: string; fix: string } {
  const refusal = vaultRefusal(error);
  if (refusal) {
    if (refusal.accessPolicy) {
      return {
        detail: `403 from ${context.vaultUrl}: the vault uses access policies, and none lets kvguard do this`,
        fix: `switch vault ${context.vaultName} to the Azure RBAC permission model (kvguard's Bicep assigns roles), or add an access policy for kvguard with secret get, list, set and update and key get, list, update, rotate and rotation-policy permissions`,
      };
    }
    const action = refusal.action || context.attempted;
    const { role, feature } = roleForVaultAction(action, refusal.resource);
    const scope = refusal.resource ?? `<resource id of vault ${context.vaultName}>`;
    const principal = refusal.oid ?? context.principalId;
    return {
      detail: `403 ForbiddenByRbac: ${action} refused on vault ${context.vaultName}`,
      fix: `grant ${role} on ${scope}${principal ? ` to ${principal}` : ""} (${feature}): ${grantCommand(role, scope, principal)}`,
    };
  }
  if (statusOf(error) === 401) {
    return {
      detail: `401 from ${context.vaultUrl}: the token was refused`,
      fix: "check that kvguard's identity is in the vault's tenant (AZURE_CLIENT_ID names a user-assigned identity of that tenant)",
    };
  }
  return network(error, context.vaultUrl, `check KVGUARD_VAULT_URLS (${context.vaultName} = ${context.vaultUrl}) and that the vault's firewall admits kvguard`);
}

/** The data role each state service needs. */
export const STORAGE_ROLES = {
  blob: "Storage Blob Data Contributor",
  queue: "Storage Queue Data Contributor",
  table: "Storage Table Data Contributor",
} as const;

/** The detail and fix of a failed state storage check. */
export function diagnoseStorage(
  error: Error,
  service: keyof typeof STORAGE_ROLES,
  account: string | undefined,
  endpoint: string,
): { detail: string; fix: string } {
  const status = statusOf(error);
  if (status === 403) {
    const code = (error as { code?: string }).code ?? "AuthorizationFailure";
    const role = STORAGE_ROLES[service];
    const scope = account ? `storage account ${account}` : "the state storage account";
    return {
      detail: `403 ${code} from ${endpoint}`,
      fix: `grant ${role} on ${scope} to kvguard's identity (state: ${service === "blob" ? "rotation locks and reports" : service === "queue" ? "the rotation queue" : "history, status and audit state"}); with a connection string, check its key or SAS`,
    };
  }
  return network(error, endpoint, "check AzureWebJobsStorage (or AzureWebJobsStorage__accountName) and that the account's firewall admits kvguard");
}

/** A network error or deadline: which endpoint, and what to check. */
export function network(error: Error, endpoint: string, fix: string): { detail: string; fix: string } {
  const code = (error as { code?: string }).code;
  if (error instanceof DeadlineError) return { detail: `${endpoint}: ${error.message}`, fix };
  if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN|EHOSTUNREACH|REQUEST_SEND_ERROR)$/.test(code)) {
    return { detail: `cannot reach ${endpoint} (${code})`, fix };
  }
  const status = statusOf(error);
  return { detail: `${status ? `${status} ` : ""}${error.message.split("\n")[0]}`, fix };
}
