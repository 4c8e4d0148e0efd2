/**
 * @module The managing user: a credential that may change other users' passwords and create the alternate
 * user, kept as its own Key Vault secret in the same vault and named by the policy's `manager` option. Its
 * value is a bare password (the user in its `CredentialId` tag) or JSON with `username` and `password`; a
 * JSON `host`/`port`, when present, must be the target's (a manager for another server is refused, the
 * AWS "confused deputy" guard). Which secrets may use it (its `kvguard-manager-for` tag or the policy file's
 * `managers`) and where a bare-password manager may be used are the operator bindings' to check.
 */
import { z } from "zod";
import { MANAGER_FOR_TAG } from "../../rotation/bindings.js";
import type { RotatorContext } from "../types.js";
import type { SqlEndpoint, SqlLogin } from "./dialect.js";
import { isJsonContentType } from "./value.js";

const managerShape = z
  .object({
    username: z.string({ error: "username is missing" }).min(1, "username must not be empty"),
    password: z.string({ error: "password is missing" }),
    host: z.string().optional(),
    port: z.number().optional(),
    database: z.string().optional(),
    tls: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A managing credential as read: its login, its own server when its JSON value names one, and its opt-in tag. */
export interface Manager {
  login: SqlLogin;
  ownHost?: { host: string; port?: number };
  /** The secrets its `kvguard-manager-for` tag lets use it. */
  taggedFor: string[];
}

export async function managerLogin(ctx: RotatorContext, secretName: string, target: SqlEndpoint): Promise<SqlLogin> {
  const m = await readManager(ctx, secretName);
  if (m.ownHost && (m.ownHost.host.toLowerCase() !== target.host.toLowerCase() || (m.ownHost.port !== undefined && m.ownHost.port !== target.port))) {
    throw new Error(
      `the managing credential (secret ${secretName}) is for ${m.ownHost.host}:${m.ownHost.port ?? target.port}, not the server rotated (${target.host}:${target.port})`,
    );
  }
  return m.login;
}

/** The secrets (names or globs) a secret's `kvguard-manager-for` tag lets use it. */
export function managerForTag(tags: Record<string, string>): string[] {
  return (tags[MANAGER_FOR_TAG] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export async function readManager(ctx: RotatorContext, secretName: string): Promise<Manager> {
  if (!ctx.readSecret) throw new Error("the manager option needs a caller that can read secrets of the vault (readSecret)");
  if (secretName.toLowerCase() === ctx.secretName.toLowerCase())
    throw new Error("manager: the managing credential must be another secret than the one rotated");
  const secret = await ctx.readSecret(secretName);
  const what = `the managing credential (secret ${secretName})`;
  const taggedFor = managerForTag(secret.tags);
  if (!isJsonContentType(secret.contentType)) {
    const username = secret.tags.CredentialId;
    if (!username) throw new Error(`${what}: the CredentialId tag is missing (the managing user), or use a JSON value`);
    return { login: { username, password: secret.value }, taggedFor };
  }
  let document: unknown;
  try {
    document = JSON.parse(secret.value);
  } catch {
    throw new Error(`${what} has content type application/json but its value is not valid JSON`);
  }
  const parsed = managerShape.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.code === "unrecognized_keys" ? `unknown field ${i.keys.join(", ")}` : `${i.path.join(".")}: ${i.message}`,
    );
    throw new Error(`${what}: ${problems.join("; ")}`);
  }
  const m = parsed.data;
  return {
    login: { username: m.username, password: m.password },
    ...(m.host !== undefined ? { ownHost: { host: m.host, ...(m.port !== undefined ? { port: m.port } : {}) } } : {}),
    taggedFor,
  };
}
