/**
 * @module A SQL secret's value, in either of two formats, and where its login lives:
 *
 * - a bare password (any content type but JSON), the target in tags as in Microsoft's sample:
 *   `CredentialId` = the login, `ProviderAddress` = `host`, `host:port`, or the server's Azure resource id;
 *   port, database and TLS come from the policy options;
 * - a JSON document (`contentType: application/json`): `host`, `port`, `database`, `username`, `password`
 *   and `tls` (`enabled`, `rejectUnauthorized`, `ca`, `serverName`); nothing else.
 *
 * Rotation keeps the format: JSON in, JSON out with only `username`/`password` changed (the other fields
 * keep their values and order). Error messages name the field and never hold the value.
 */
import { z } from "zod";
import type { SqlEndpoint, SqlLogin, SqlTls } from "./dialect.js";
import { hostPort, TrustRefusal, weakerTls, type TlsMode } from "../../rotation/bindings.js";
import type { SqlOptions } from "./options.js";

export const JSON_CONTENT_TYPE = "application/json";

const tlsShape = z
  .object({
    enabled: z.boolean({ error: "tls.enabled must be true or false" }).optional(),
    rejectUnauthorized: z.boolean({ error: "tls.rejectUnauthorized must be true or false" }).optional(),
    ca: z.string({ error: "tls.ca must be a PEM string" }).optional(),
    serverName: z.string({ error: "tls.serverName must be a string" }).optional(),
  })
  .strict();

const jsonShape = z
  .object({
    host: z.string({ error: "host is missing (the server's host name)" }).min(1, "host must not be empty"),
    port: z.number({ error: "port must be a number" }).int("port must be a whole number").min(1).max(65_535).optional(),
    database: z.string({ error: "database must be a string" }).min(1, "database must not be empty").optional(),
    username: z.string({ error: "username is missing (the login to rotate)" }).min(1, "username must not be empty"),
    password: z.string({ error: "password is missing" }),
    tls: tlsShape.optional(),
  })
  .strict();
type JsonValue = z.output<typeof jsonShape>;

/** A parsed value: the login, where it lives, and how to write a new one in the same format. */
export interface SqlSecretValue {
  format: "password" | "json";
  endpoint: SqlEndpoint;
  login: SqlLogin;
  /** The same value with another username and password, in the original format. */
  with(login: SqlLogin): string;
}

/** Where a bare-password value's tags point. */
export interface SqlTags {
  contentType?: string;
  credentialId?: string;
  providerAddress?: string;
}

/** Azure resource types and their servers' DNS suffixes. */
const AZURE_SERVERS: Record<string, string> = {
  "microsoft.dbforpostgresql/flexibleservers": ".postgres.database.azure.com",
  "microsoft.dbforpostgresql/servers": ".postgres.database.azure.com",
  "microsoft.dbformysql/flexibleservers": ".mysql.database.azure.com",
  "microsoft.dbformysql/servers": ".mysql.database.azure.com",
  "microsoft.dbformariadb/servers": ".mariadb.database.azure.com",
  "microsoft.sql/servers": ".database.windows.net",
};

export function isJsonContentType(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase() === JSON_CONTENT_TYPE;
}

/** `ProviderAddress`: a host, `host:port`, `[v6]:port`, or `/subscriptions/…/providers/Microsoft.DBforPostgreSQL/flexibleServers/NAME`. */
export function parseProviderAddress(address: string): { host: string; port?: number } {
  const text = address.trim();
  if (text.startsWith("/subscriptions/")) {
    const parts = text.split("/").filter(Boolean);
    const providers = parts.findIndex((p) => p.toLowerCase() === "providers");
    const type = providers >= 0 ? `${parts[providers + 1] ?? ""}/${parts[providers + 2] ?? ""}`.toLowerCase() : "";
    const name = providers >= 0 ? parts[providers + 3] : undefined;
    const suffix = AZURE_SERVERS[type];
    if (!suffix || !name) {
      throw new Error(`ProviderAddress: "${text}" is not the resource id of a database server (${Object.keys(AZURE_SERVERS).join(", ")})`);
    }
    return { host: `${name.toLowerCase()}${suffix}` };
  }
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:/\s]+)(?::(\d+))?$/.exec(text);
  const match = v6 ?? plain;
  if (!match) throw new Error(`ProviderAddress: "${text}" is not a host, host:port or an Azure resource id`);
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65_535)) throw new Error(`ProviderAddress: port ${port} is out of range`);
  return { host: match[1]!, ...(port !== undefined ? { port } : {}) };
}

/** The operator's TLS floor for hosts of one rotator (RotatorContext.tlsFloor), and that rotator's name for messages. */
export interface TlsPolicy {
  rotator: string;
  floor?: (host: string, port: number) => TlsMode;
}

/** The mode a secret asks for: its value's `tls` fields over the policy's `tls` option; undefined when neither says. */
function requestedTls(options: SqlOptions, fromValue?: JsonValue["tls"]): TlsMode | undefined {
  if (options.tls === undefined && fromValue?.enabled === undefined && fromValue?.rejectUnauthorized === undefined) return undefined;
  let enabled = options.tls === undefined ? true : options.tls !== "disable";
  let verify = options.tls === undefined ? true : options.tls === "verify";
  if (fromValue?.enabled !== undefined) enabled = fromValue.enabled;
  if (fromValue?.rejectUnauthorized !== undefined) verify = fromValue.rejectUnauthorized;
  return !enabled ? "disable" : verify ? "verify" : "require";
}

/**
 * TLS to a database: verified (certificate and host name) unless the operator's binding for that host allows
 * less. The secret (tags, value) may ask for more, never for less: that is refused, naming the binding.
 */
function tlsFor(host: string, port: number, options: SqlOptions, policy: TlsPolicy, fromValue?: JsonValue["tls"]): SqlTls {
  const floor = policy.floor?.(host, port) ?? "verify";
  const requested = requestedTls(options, fromValue);
  // A CA or certificate name from the value (which a vault writer sets) decides whom "verify" trusts: it
  // counts as `require` against the operator's floor.
  const strength = requested === "verify" && (fromValue?.ca !== undefined || fromValue?.serverName !== undefined) ? "require" : requested;
  if (strength !== undefined && weakerTls(strength, floor)) {
    throw new TrustRefusal(
      `the secret asks for TLS mode ${strength}${strength !== requested ? " (its own tls.ca or tls.serverName)" : ""} at ${hostPort(host, port)}, weaker than the operator allows there (${floor})`,
      `bindings.${policy.rotator}[].tls in the policy file (KVGUARD_POLICY_FILE)`,
    );
  }
  const mode = requested ?? floor;
  const tls: SqlTls = { enabled: mode !== "disable", rejectUnauthorized: mode === "verify" };
  const ca = fromValue?.ca ?? options.ca;
  const serverName = fromValue?.serverName ?? options.serverName;
  if (ca !== undefined) tls.ca = ca;
  if (serverName !== undefined) tls.serverName = serverName;
  return tls;
}

/** The TLS mode of an endpoint, as the bindings compare it. */
export function tlsModeOf(tls: SqlTls): TlsMode {
  return !tls.enabled ? "disable" : tls.rejectUnauthorized ? "verify" : "require";
}

function endpointOf(
  host: string,
  port: number | undefined,
  database: string | undefined,
  defaultPort: number,
  options: SqlOptions,
  policy: TlsPolicy,
  tls?: JsonValue["tls"],
): SqlEndpoint {
  const at = port ?? defaultPort;
  return {
    host,
    port: at,
    ...(database !== undefined ? { database } : {}),
    tls: tlsFor(host, at, options, policy, tls),
    connectTimeoutMs: options.connectTimeout * 1000,
    statementTimeoutMs: options.statementTimeout * 1000,
  };
}

/** `what` names the secret in messages ("the secret db-app"). */
function parseJson(text: string, what: string): JsonValue {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // JSON.parse's message may quote the value: say only where it broke.
    throw new Error(`${what} has content type ${JSON_CONTENT_TYPE} but its value is not valid JSON`);
  }
  const parsed = jsonShape.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === "unrecognized_keys"
        ? `unknown field ${i.keys.map((k) => [...i.path, k].join(".")).join(", ")} (known: host, port, database, username, password, tls)`
        : `${i.path.join(".") || "value"}: ${i.message}`,
    );
    throw new Error(`${what}: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** Reads a secret's value in either format. */
export function parseSqlValue(value: string, tags: SqlTags, options: SqlOptions, defaultPort: number, what: string, tlsPolicy: TlsPolicy): SqlSecretValue {
  if (isJsonContentType(tags.contentType)) {
    const json = parseJson(value, what);
    return {
      format: "json",
      endpoint: endpointOf(json.host, json.port ?? options.port, json.database ?? options.database, defaultPort, options, tlsPolicy, json.tls),
      login: { username: json.username, password: json.password },
      // Spread keeps the document's field order; only the login changes.
      with: (login) => JSON.stringify({ ...(JSON.parse(value) as Record<string, unknown>), username: login.username, password: login.password }),
    };
  }
  if (!tags.credentialId) throw new Error(`${what}: the CredentialId tag is missing (the login whose password this is), or use a JSON value`);
  if (!tags.providerAddress)
    throw new Error(`${what}: the ProviderAddress tag is missing (the server: host, host:port or Azure resource id), or use a JSON value`);
  const address = parseProviderAddress(tags.providerAddress);
  return {
    format: "password",
    endpoint: endpointOf(address.host, address.port ?? options.port, options.database, defaultPort, options, tlsPolicy),
    login: { username: tags.credentialId, password: value },
    with: (login) => login.password,
  };
}
