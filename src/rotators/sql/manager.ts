/**
 * @module The managing user: a credential that may change other users' passwords and create the alternate
 * user, kept as its own Key Vault secret in the same vault and named by the policy's `manager` option. Its
 * value is a bare password (the user in its `CredentialId` tag) or JSON with `username` and `password`; a
 * JSON `host`/`port`, when present, must be the target's (a manager for another server is refused, the
 * AWS "confused deputy" guard).
 */
import { z } from "zod";
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

export async function managerLogin(ctx: RotatorContext, secretName: string, target: SqlEndpoint): Promise<SqlLogin> {
  if (!ctx.readSecret) throw new Error("the manager option needs a caller that can read secrets of the vault (readSecret)");
  if (secretName.toLowerCase() === ctx.secretName.toLowerCase()) throw new Error("manager: the managing credential must be another secret than the one rotated");
  const secret = await ctx.readSecret(secretName);
  const what = `the managing credential (secret ${secretName})`;
  if (!isJsonContentType(secret.contentType)) {
    const username = secret.tags.CredentialId;
    if (!username) throw new Error(`${what}: the CredentialId tag is missing (the managing user), or use a JSON value`);
    return { username, password: secret.value };
  }
  let document: unknown;
  try {
    document = JSON.parse(secret.value);
  } catch {
    throw new Error(`${what} has content type application/json but its value is not valid JSON`);
  }
  const parsed = managerShape.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => (i.code === "unrecognized_keys" ? `unknown field ${i.keys.join(", ")}` : `${i.path.join(".")}: ${i.message}`));
    throw new Error(`${what}: ${problems.join("; ")}`);
  }
  const m = parsed.data;
  if ((m.host !== undefined && m.host.toLowerCase() !== target.host.toLowerCase()) || (m.port !== undefined && m.port !== target.port)) {
    throw new Error(`${what} is for ${m.host ?? target.host}:${m.port ?? target.port}, not the server rotated (${target.host}:${target.port})`);
  }
  return { username: m.username, password: m.password };
}
