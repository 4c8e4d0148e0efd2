/**
 * @module Who is calling: the claims of the Bearer token. The local Key Vault trusts the token's claims
 * without checking a signature (there is no Entra ID here), exactly as a development tool should: it is
 * for trying kvguard and testing it, never for guarding real secrets.
 */
import { errors } from "../http/errors.js";

export interface Identity {
  /** Claims as the token carried them (short names: oid, appid, upn, tid, idtyp...). */
  claims: Record<string, string>;
  oid?: string;
  appid?: string;
  upn?: string;
  tid?: string;
}

function decodeSegment(segment: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
  return parsed as Record<string, unknown>;
}

interface DecodedToken {
  identity: Identity;
  aud?: unknown;
  expMs?: number;
}

/** The audiences a Key Vault data-plane token may carry: the resource URL or Key Vault's app id. */
export const VAULT_AUDIENCES = ["https://vault.azure.net", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"];

// Clients resend the same token for an hour; decoding it once per token keeps it off the hot path.
const decoded = new Map<string, DecodedToken>();
const MAX_CACHED_TOKENS = 1000;

function decodeToken(token: string): DecodedToken {
  const parts = token.split(".");
  let payload: Record<string, unknown>;
  try {
    if (parts.length !== 3) throw new Error("a JWT has three parts");
    payload = decodeSegment(parts[1]!);
  } catch {
    throw errors.unauthorized("AKV10022: Invalid audience or malformed token: the Bearer token is not a JWT.");
  }
  const claims: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v === "string") claims[k] = v;
    else if (typeof v === "number" || typeof v === "boolean") claims[k] = String(v);
  }
  return {
    identity: { claims, oid: claims.oid, appid: claims.appid ?? claims.azp, upn: claims.upn, tid: claims.tid },
    aud: payload.aud,
    ...(typeof payload.exp === "number" ? { expMs: payload.exp * 1000 } : {}),
  };
}

/**
 * Reads the identity from an `Authorization: Bearer <jwt>` header; a malformed or expired token, or one
 * for another audience (a token without `aud` passes), is 401.
 */
export function identityFromAuthorization(header: string, audiences: readonly string[] = VAULT_AUDIENCES): Identity {
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw errors.unauthorized("AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.");
  const token = match[1]!;
  let entry = decoded.get(token);
  if (!entry) {
    entry = decodeToken(token);
    if (decoded.size >= MAX_CACHED_TOKENS) decoded.clear();
    decoded.set(token, entry);
  }
  if (entry.aud !== undefined && !audiences.includes(entry.aud as string)) {
    throw errors.unauthorized(`AKV10022: Invalid audience. Expected ${audiences[0]}, found: ${JSON.stringify(entry.aud)}.`);
  }
  if (entry.expMs !== undefined && entry.expMs < Date.now()) throw errors.unauthorized("AKV10022: Token is expired.");
  return entry.identity;
}

/** `appid=...;oid=...` as Key Vault names a caller in its 403 messages. */
export function describeCaller(identity: Identity): string {
  const parts = [identity.appid && `appid=${identity.appid}`, identity.oid && `oid=${identity.oid}`, identity.upn && `upn=${identity.upn}`];
  return parts.filter(Boolean).join(";") || "anonymous";
}
