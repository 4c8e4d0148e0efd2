/**
 * @module Azure RBAC for the data plane: the built-in Key Vault roles, the data actions each grants, and
 * their scopes. An assignment's scope is the vault (absent) or one object (`/secrets/NAME`, `/keys/NAME`,
 * `/certificates/NAME`: all its versions); a certificate's scope also covers its own key and secret. Lists,
 * restores and other vault-wide requests need a vault-scope assignment, as in Azure. A vault with no role
 * assignments lets every authenticated caller in (the emulator's open default); once a vault has
 * assignments, a request outside them is 403 ForbiddenByRbac, with Key Vault's message.
 */
import { KvError } from "../http/errors.js";
import { describeCaller, type Identity } from "./identity.js";

const SECRET_READ = ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"];

export const ROLES = {
  "Key Vault Administrator": ["Microsoft.KeyVault/vaults/*"],
  "Key Vault Secrets Officer": ["Microsoft.KeyVault/vaults/secrets/*"],
  "Key Vault Secrets User": SECRET_READ,
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
  "Key Vault Certificates Officer": [
    "Microsoft.KeyVault/vaults/certificatecas/*",
    "Microsoft.KeyVault/vaults/certificates/*",
    "Microsoft.KeyVault/vaults/certificatecontacts/write",
  ],
  /** Reads a whole certificate: its metadata, its key's public part and its secret (with the private key). */
  "Key Vault Certificate User": ["Microsoft.KeyVault/vaults/certificates/read", ...SECRET_READ, "Microsoft.KeyVault/vaults/keys/read"],
  /** Azure grants every read data action of the vault: metadata everywhere, no secret values. Spelled out here. */
  "Key Vault Reader": [
    "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    "Microsoft.KeyVault/vaults/keys/read",
    "Microsoft.KeyVault/vaults/keyrotationpolicies/read",
    "Microsoft.KeyVault/vaults/certificates/read",
    "Microsoft.KeyVault/vaults/certificatecas/read",
  ],
} as const satisfies Record<string, readonly string[]>;

export type RoleName = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as RoleName[];

export const SCOPED_COLLECTIONS = ["secrets", "keys", "certificates"] as const;
export type ScopedCollection = (typeof SCOPED_COLLECTIONS)[number];

export interface RoleAssignment {
  /** Object id of the principal (the token's `oid`). */
  principalId: string;
  role: RoleName;
  /** `/secrets/NAME`, `/keys/NAME` or `/certificates/NAME`; absent: the whole vault. */
  scope?: string;
}

/** The object a request is about, when it names one. */
export interface RequestTarget {
  collection: ScopedCollection;
  name: string;
  /** The certificate that manages this key or secret, if one does. */
  managedBy?: string;
}

/** The object scope of a route: `/{collection}/{name}...` or `/deleted{collection}/{name}...`. */
export function targetOf(routePath: string, params: Record<string, string>): Omit<RequestTarget, "managedBy"> | undefined {
  const [collection, second] = routePath.split("/").filter(Boolean);
  const plain = collection?.replace(/^deleted/, "") as ScopedCollection | undefined;
  if (!plain || !SCOPED_COLLECTIONS.includes(plain) || second !== "{name}" || !params.name) return undefined;
  return { collection: plain, name: params.name };
}

function grants(pattern: string, action: string): boolean {
  return pattern.endsWith("/*") ? action.startsWith(pattern.slice(0, -1)) : pattern === action;
}

function covers(scope: string | undefined, target: RequestTarget | undefined): boolean {
  if (scope === undefined) return true;
  if (!target) return false;
  const wanted = [`/${target.collection}/${target.name}`, ...(target.managedBy ? [`/certificates/${target.managedBy}`] : [])];
  return wanted.some((w) => w.toLowerCase() === scope.toLowerCase());
}

export function isAuthorized(assignments: readonly RoleAssignment[], identity: Identity, action: string, target?: RequestTarget): boolean {
  if (assignments.length === 0) return true;
  return assignments.some((a) => a.principalId === identity.oid && covers(a.scope, target) && ROLES[a.role].some((pattern) => grants(pattern, action)));
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

const SCOPE_PATH = /^\/(secrets|keys|certificates)\/([0-9a-zA-Z-]{1,127})$/i;

/**
 * A scope as given (absent, `/`, a vault-relative object path or the full ARM id of the vault or of an
 * object in it) → the stored form: undefined for the vault, else `/collection/NAME`. Throws a message.
 */
export function normalizeScope(scope: string | undefined, vaultResourceId: string): string | undefined {
  if (scope === undefined || scope === "" || scope === "/") return undefined;
  let relative = scope;
  if (scope.toLowerCase().startsWith(vaultResourceId.toLowerCase())) relative = scope.slice(vaultResourceId.length);
  if (relative === "" || relative === "/") return undefined;
  const match = SCOPE_PATH.exec(relative);
  if (!match) {
    throw new Error(
      `scope "${scope}" is not this vault or one object in it: use /secrets/NAME, /keys/NAME, /certificates/NAME or ${vaultResourceId}/secrets/NAME`,
    );
  }
  return `/${match[1]!.toLowerCase()}/${match[2]}`;
}
