/**
 * @module A `TokenCredential` for the local Key Vault: it mints unsigned development JWTs for a named
 * identity, so the demo and the tests can act as several apps and users. Real Key Vault rejects these
 * tokens; use it only against the local stack.
 */
import { createHash } from "node:crypto";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

export interface DevIdentity {
  /** A readable name; ids are derived from it when not given, so the same name is the same principal. */
  name: string;
  oid?: string;
  appid?: string;
  upn?: string;
  tid?: string;
  /** "app" for a service principal or managed identity, "user" for a person. */
  idtyp?: "app" | "user";
}

const TOKEN_LIFETIME_SECONDS = 3600;

/** A stable GUID-shaped id from a name, so the same identity has the same `oid` across runs. */
export function stableGuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function devClaims(identity: DevIdentity): Record<string, string> {
  const idtyp = identity.idtyp ?? (identity.upn ? "user" : "app");
  const claims: Record<string, string> = {
    oid: identity.oid ?? stableGuid(`oid:${identity.name}`),
    tid: identity.tid ?? "00000000-0000-0000-0000-000000000000",
    idtyp,
    name: identity.name,
  };
  if (idtyp === "app") claims.appid = identity.appid ?? stableGuid(`appid:${identity.name}`);
  else claims.upn = identity.upn ?? `${identity.name}@kvguard.local`;
  if (identity.appid && idtyp === "user") claims.appid = identity.appid;
  return claims;
}

export class DevTokenCredential implements TokenCredential {
  readonly claims: Record<string, string>;

  constructor(identity: DevIdentity) {
    this.claims = devClaims(identity);
  }

  getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0] : scopes;
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "none", typ: "JWT" };
    const payload = {
      aud: (scope ?? "https://vault.azure.net/.default").replace(/\/\.default$/, ""),
      iss: "https://kvguard.local/dev-token",
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      ...this.claims,
    };
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
    return Promise.resolve({
      token: `${encode(header)}.${encode(payload)}.`,
      expiresOnTimestamp: (now + TOKEN_LIFETIME_SECONDS) * 1000,
    });
  }
}
