/**
 * @module Reading loosely typed fields the way Azure writes them: numbers and booleans that may arrive as
 * strings, claims under short names or claim URLs, vault settings under several spellings. Every source's
 * parser builds its record through `finishRecord`, so all of them normalise the same way.
 */
import { parseObjectUrl, vaultNameOf, type AuditRecord, type Principal } from "../record.js";
import { TextCache } from "./textCache.js";

/** A record that failed to parse; the message names the field. */
export class RecordError extends Error {
  override readonly name = "RecordError";
}

export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function num(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function bool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "True") return true;
  if (value === "false" || value === "False") return false;
  return undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Different operations and token versions fill different claim names; filters that required one form
// dropped real records (Sentinel PRs #4568, #6171), so every form is read.
const CLAIM_NAMES: Record<keyof Principal, string[]> = {
  oid: ["oid", "http://schemas.microsoft.com/identity/claims/objectidentifier"],
  appid: ["appid", "azp"],
  upn: ["upn", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "unique_name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"],
  idtyp: ["idtyp", "http://schemas.microsoft.com/identity/claims/idtyp"],
};

/** The first claim of a field present under any of its names. */
function claim(claims: Record<string, unknown>, field: keyof Principal): string | undefined {
  for (const name of CLAIM_NAMES[field]) {
    const value = str(claims[name]);
    if (value) return value;
  }
  return undefined;
}

/** The principal from a claims object (short names or claim URLs). */
export function principalFromClaims(claims: Record<string, unknown> | undefined): Principal {
  const principal: Principal = {};
  if (!claims) return principal;
  // Short names read directly first: nearly every record has them, and that is the hot path.
  const oid = str(claims.oid) || claim(claims, "oid");
  const appid = str(claims.appid) || claim(claims, "appid");
  const upn = str(claims.upn) || claim(claims, "upn");
  const idtyp = str(claims.idtyp) || claim(claims, "idtyp");
  if (oid) principal.oid = oid;
  if (appid) principal.appid = appid;
  if (upn) principal.upn = upn.toLowerCase();
  if (idtyp) principal.idtyp = idtyp;
  return principal;
}

/** Vault settings kvguard compares between VaultPut/VaultPatch records, by normalised name. */
export const VAULT_CONFIG_FIELDS = [
  "enableSoftDelete",
  "enablePurgeProtection",
  "enableRbacAuthorization",
  "softDeleteRetentionInDays",
  "enabledForDeployment",
  "enabledForTemplateDeployment",
  "enabledForDiskEncryption",
  "publicNetworkAccess",
  "networkDefaultAction",
] as const;

export type VaultConfig = NonNullable<AuditRecord["vaultConfig"]>;

/** The vault settings of an ARM vault body (`properties.properties` of a VaultPut/VaultPatch/VaultGet). */
export function vaultConfigFrom(body: unknown): VaultConfig | undefined {
  if (!isObject(body)) return undefined;
  const config: VaultConfig = {};
  for (const field of VAULT_CONFIG_FIELDS) {
    const value = field === "networkDefaultAction" ? (isObject(body.networkAcls) ? body.networkAcls.defaultAction : undefined) : body[field];
    const parsed = field === "softDeleteRetentionInDays" ? num(value) : (bool(value) ?? str(value));
    if (parsed !== undefined) config[field] = parsed;
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

/** Object ids from an access-policy entry or list of them (`ObjectId`, `objectId`). */
export function policyObjectIds(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const ids: string[] = [];
  for (const item of items) {
    const id = isObject(item) ? str(item.ObjectId ?? item.objectId) : str(item);
    if (id) ids.push(id.toLowerCase());
  }
  return ids;
}

export interface RecordFields {
  time: unknown;
  resourceId?: unknown;
  operation: unknown;
  status: unknown;
  resultSignature?: unknown;
  principal: Principal;
  ip?: unknown;
  client?: unknown;
  id?: unknown;
  requestUri?: unknown;
  correlationId?: unknown;
  durationMs?: unknown;
  policyAdded?: string[];
  policyRemoved?: string[];
  vaultConfig?: VaultConfig;
}

// A few vaults and objects recur across millions of records: parse each once and share the
// (never mutated) result.
const vaults = new TextCache((resourceId) =>
  /\/vaults\/[^/]+$|\/managedhsms\/[^/]+$/i.test(resourceId) ? { name: vaultNameOf(resourceId), resourceId: resourceId.toUpperCase() } : undefined,
);
const objects = new TextCache(parseObjectUrl);

/** The vault a record belongs to: its ARM id, else the host of the object or request URL. */
function vaultOf(resourceId: string | undefined, urls: (string | undefined)[]): AuditRecord["vault"] {
  if (resourceId) {
    const vault = vaults.get(resourceId);
    if (vault) return vault;
  }
  for (const url of urls) {
    const host = url ? /^https?:\/\/([^./:]+)\.vault\./i.exec(url)?.[1] : undefined;
    if (host) return { name: host.toLowerCase(), resourceId: `VAULT:${host.toUpperCase()}` };
  }
  throw new RecordError("resourceId must be a Key Vault ARM id (/SUBSCRIPTIONS/.../VAULTS/NAME), and no vault URL names the vault");
}

let dayText = "";
let dayMs = Number.NaN;

function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

/**
 * `YYYY-MM-DDTHH:MM:SS[.fffffff]Z` read by hand (Date.parse is slow on Azure's seven fraction digits),
 * reusing the day's start while records share a day; NaN when the text has another shape.
 */
function parseUtc(text: string): number {
  const n = text.length;
  if (n < 20 || text.charCodeAt(n - 1) !== 90 /* Z */ || text[10] !== "T" || text[13] !== ":" || text[16] !== ":") return Number.NaN;
  if (!text.startsWith(dayText) || dayText === "") {
    const y = digits(text, 0, 4);
    const mo = digits(text, 5, 2);
    const d = digits(text, 8, 2);
    if (text[4] !== "-" || text[7] !== "-" || !(mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return Number.NaN;
    dayMs = Date.UTC(y, mo - 1, d);
    if (new Date(dayMs).getUTCDate() !== d) return Number.NaN;
    dayText = text.slice(0, 10);
  }
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (!(h < 24 && mi < 60 && s < 60)) return Number.NaN;
  let ms = 0;
  if (n > 20) {
    if (text[19] !== ".") return Number.NaN;
    const fraction = digits(text, 20, Math.min(3, n - 21));
    if (Number.isNaN(fraction) || Number.isNaN(digits(text, 20, n - 21))) return Number.NaN;
    ms = n - 21 >= 3 ? fraction : fraction * 10 ** (3 - (n - 21));
  }
  return dayMs + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

/** Milliseconds since the epoch of an ISO 8601 time (or a Date). */
function timeMsOf(value: unknown): number {
  const ms = typeof value === "string" ? parseUtc(value) : Number.NaN;
  if (!Number.isNaN(ms)) return ms;
  const parsed = value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(parsed)) throw new RecordError("time must be an ISO 8601 UTC timestamp");
  return parsed;
}

/** Builds the normalised record, throwing a RecordError naming the first bad field. */
export function finishRecord(fields: RecordFields): AuditRecord {
  const timeMs = timeMsOf(fields.time);
  const operation = str(fields.operation);
  if (!operation) throw new RecordError("operationName must be a non-empty string");
  const status = num(fields.status);
  if (status === undefined || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new RecordError("httpStatusCode must be an HTTP status (100-599)");
  }
  const id = str(fields.id);
  const requestUri = str(fields.requestUri) ?? "";
  const duration = fields.durationMs === undefined || fields.durationMs === null || fields.durationMs === "" ? 0 : num(fields.durationMs);
  if (duration === undefined || duration < 0) throw new RecordError("durationMs must be a number of milliseconds");
  const object = (id ? objects.get(id) : undefined) ?? (requestUri ? objects.get(requestUri) : undefined);
  const record: AuditRecord = {
    timeMs,
    vault: vaultOf(str(fields.resourceId), [id, requestUri]),
    operation,
    status,
    resultSignature: str(fields.resultSignature) ?? "",
    principal: fields.principal,
    ip: str(fields.ip) ?? "",
    client: str(fields.client) ?? "",
    correlationId: str(fields.correlationId) ?? "",
    durationMs: duration,
  };
  if (object) record.object = object;
  if (fields.policyAdded?.length || fields.policyRemoved?.length) {
    record.policyChange = { added: fields.policyAdded ?? [], removed: fields.policyRemoved ?? [] };
  }
  if (fields.vaultConfig) record.vaultConfig = fields.vaultConfig;
  return record;
}
