/**
 * @module Key Vault's error catalogue: every error the emulator answers with, as the service spells it.
 * Handlers throw `KvError`; the server turns it into `{"error":{"code","message"}}` with its status.
 */

export class KvError extends Error {
  /** The object the failed request was about, for the audit record. */
  objectId?: string;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "KvError";
  }

  about(objectId: string): this {
    this.objectId = objectId;
    return this;
  }

  toBody(): { error: { code: string; message: string; innererror?: { code: string } } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.innerCode ? { innererror: { code: this.innerCode } } : {}),
      },
    };
  }
}

export type ObjectKind = "Secret" | "Key" | "Certificate";

export const errors = {
  badParameter: (message: string) => new KvError(400, "BadParameter", message),
  notFound: (kind: ObjectKind, name: string, version?: string) =>
    new KvError(
      404,
      `${kind}NotFound`,
      version
        ? `A ${kind.toLowerCase()} with (name/id) ${name}/${version} was not found in this key vault. If you recently deleted this ${kind.toLowerCase()} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`
        : `A ${kind.toLowerCase()} with (name/id) ${name} was not found in this key vault. If you recently deleted this ${kind.toLowerCase()} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    ),
  deletedNotFound: (kind: ObjectKind, name: string) => new KvError(404, `${kind}NotFound`, `Deleted ${kind} not found: ${name}`),
  routeNotFound: (path: string) => new KvError(404, "NotFound", `No operation matches ${path} on this key vault.`),
  methodNotAllowed: (method: string, path: string) =>
    new KvError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}' at ${path}.`),
  disabled: (kind: ObjectKind, operation: string) =>
    new KvError(403, "Forbidden", `Operation ${operation} is not allowed on a disabled ${kind.toLowerCase()}.`, `${kind}Disabled`),
  notYetValid: (kind: ObjectKind, operation: string) =>
    new KvError(403, "Forbidden", `Operation ${operation} is not allowed before the ${kind.toLowerCase()}'s activation date.`, "NotYetValid"),
  expired: (kind: ObjectKind, operation: string) =>
    new KvError(403, "Forbidden", `Operation ${operation} is not allowed on an expired ${kind.toLowerCase()}.`, "Expired"),
  operationNotPermitted: (operation: string) => new KvError(403, "Forbidden", `Operation ${operation} is not permitted on this key.`, "KeyOperationForbidden"),
  deletedConflict: (kind: ObjectKind, name: string) =>
    new KvError(
      409,
      "Conflict",
      `${kind} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the ${kind.toLowerCase()} can only be recovered or purged.`,
      "ObjectIsDeletedButRecoverable",
    ),
  beingDeleted: (kind: ObjectKind, name: string) =>
    new KvError(409, "Conflict", `${kind} ${name} is currently being deleted and cannot be re-created; retry later.`, "ObjectIsBeingDeleted"),
  beingRecovered: (kind: ObjectKind, name: string) =>
    new KvError(409, "Conflict", `${kind} ${name} is currently being recovered; retry later.`, "ObjectIsBeingRecovered"),
  managedByKeyVault: (kind: ObjectKind, operation: string) =>
    new KvError(403, "Forbidden", `Operation "${operation}" is not allowed as this object's lifetime is managed by Key Vault.`, `${kind}ManagedByKeyVault`),
  corruptBackup: () => new KvError(400, "BadParameter", "Backup blob contains invalid or corrupt version."),
  existsConflict: (kind: ObjectKind, name: string) =>
    new KvError(409, "Conflict", `There is another object with the same name as ${kind.toLowerCase()} ${name} in the vault.`),
  purgeProtected: (kind: ObjectKind, name: string) =>
    new KvError(
      403,
      "Forbidden",
      `Operation "purge" is not enabled for this vault because purge protection is on: ${kind.toLowerCase()} ${name} will be purged on its scheduled purge date.`,
      "OperationNotAllowedOnPurgeProtectedVault",
    ),
  unauthorized: (message: string) => new KvError(401, "Unauthorized", message),
  throttled: (retryAfterSeconds: number) =>
    new KvError(429, "Throttled", "Request was not processed because too many requests were received. Reason: A generic throttling reason.", undefined, {
      "Retry-After": String(retryAfterSeconds),
    }),
} as const;
