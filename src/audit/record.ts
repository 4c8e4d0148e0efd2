/**
 * @module The one normalised audit record every source produces and every detector reads: the fields of a
 * Key Vault `AuditEvent` with Azure's traps removed (`status` from `httpStatusCode` because `resultType`
 * says Success on 403; `durationMs` a number; the caller's claims under short names whatever the record
 * used; the object as vault + type + lower-case name + version).
 */
import { z } from "zod";

const optionalString = z.string().min(1).optional();

export const principalSchema = z.object({
  oid: optionalString,
  appid: optionalString,
  upn: optionalString,
  /** "app" or "user" when the token said so. */
  idtyp: optionalString,
});

export const objectRefSchema = z.object({
  /** `secrets`, `keys`, `certificates` or `storage` (deleted objects count as their live type). */
  type: z.string().min(1),
  /** Lower-case: Key Vault names are case-insensitive, and distinct counts must agree. */
  name: z.string().min(1),
  /** 32 hex characters when the id or URI named one. */
  version: z.string().optional(),
});

export const auditRecord = z.object({
  /** When, in ms since the epoch (its ISO text is made where it is shown). */
  timeMs: z.number().int(),
  vault: z.object({ name: z.string().min(1), resourceId: z.string().min(1) }),
  operation: z.string().min(1),
  status: z.number().int().min(100).max(599),
  resultSignature: z.string(),
  principal: principalSchema,
  /** Empty when the record carried none; `<Redacted>` kept as is. */
  ip: z.string(),
  client: z.string(),
  object: objectRefSchema.optional(),
  correlationId: z.string(),
  durationMs: z.number().nonnegative(),
  /** Access-policy object ids a VaultPut/VaultPatch added or removed. */
  policyChange: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }).optional(),
  /** Vault settings a VaultGet/VaultPut/VaultPatch carried (`enablePurgeProtection`, `networkDefaultAction`...). */
  vaultConfig: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export type AuditRecord = z.infer<typeof auditRecord>;
export type Principal = z.infer<typeof principalSchema>;
export type ObjectRef = z.infer<typeof objectRefSchema>;

/** One key per caller: object id first (it is what RBAC grants to), then app id, then UPN. */
export function principalKey(principal: Principal): string {
  return principal.oid ?? principal.appid ?? principal.upn ?? "anonymous";
}

/** A readable caller name for summaries. */
export function principalLabel(principal: Principal): string {
  return principal.upn ?? principal.appid ?? principal.oid ?? "an anonymous caller";
}

// Parsers share one object ref between the records of an object id: its key is built once per ref.
const objectKeys = new WeakMap<ObjectRef, { vault: string; key: string }>();

// Several detectors ask for the key of the same record in a row: the last answer is kept.
let lastRef: ObjectRef | undefined;
let last = { vault: "", key: "" };

/** `vault/type/name`, the unit distinct-object counts use. */
export function objectKey(record: Pick<AuditRecord, "vault" | "object">): string | undefined {
  const o = record.object;
  if (!o) return undefined;
  if (o === lastRef && last.vault === record.vault.name) return last.key;
  let cached = objectKeys.get(o);
  if (cached?.vault !== record.vault.name) objectKeys.set(o, (cached = { vault: record.vault.name, key: `${record.vault.name}/${o.type}/${o.name}` }));
  lastRef = o;
  last = cached;
  return cached.key;
}

export function isSuccess(record: Pick<AuditRecord, "status">): boolean {
  return record.status >= 200 && record.status < 300;
}

export function isDenied(record: Pick<AuditRecord, "status">): boolean {
  return record.status === 401 || record.status === 403;
}

const VERSION = /^[0-9a-f]{32}$/i;
const OBJECT_TYPES: Record<string, string> = {
  secrets: "secrets",
  deletedsecrets: "secrets",
  keys: "keys",
  deletedkeys: "keys",
  certificates: "certificates",
  deletedcertificates: "certificates",
  storage: "storage",
  deletedstorage: "storage",
};

/**
 * The object a Key Vault data-plane URL names (`https://v.vault.azure.net/secrets/db/0123…`), or undefined
 * for the vault itself, a list, or a management-plane URL.
 */
export function parseObjectUrl(url: string | undefined): ObjectRef | undefined {
  if (!url) return undefined;
  const start = url.indexOf("://");
  const pathStart = url.indexOf("/", start < 0 ? 0 : start + 3);
  if (pathStart < 0) return undefined;
  let end = url.indexOf("?", pathStart);
  if (end < 0) end = url.length;
  const parts = url.slice(pathStart + 1, end).split("/");
  const type = OBJECT_TYPES[parts[0]?.toLowerCase() ?? ""];
  const name = parts[1];
  if (!type || !name) return undefined;
  const version = parts[2];
  return {
    type,
    name: decoded(name).toLowerCase(),
    ...(version && VERSION.test(version) ? { version: version.toLowerCase() } : {}),
  };
}

/** A URL path segment decoded; one with a broken escape stays as written (one odd record must not stop a read). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The vault's name (lower case) from its ARM resource id. */
export function vaultNameOf(resourceId: string): string {
  return resourceId.slice(resourceId.lastIndexOf("/") + 1).toLowerCase();
}
