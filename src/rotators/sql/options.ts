/**
 * @module The SQL rotators' policy options (`kvguard-options` tag or the policy file's `options`): the
 * strategy, the managing credential, where the server is when the value is a bare password, TLS, timeouts
 * and how new passwords are generated. Tag options arrive as strings, so numbers and booleans are coerced.
 */
import { z } from "zod";
import { CLASSES, randomOptions } from "../random/options.js";

export const STRATEGIES = ["single", "alternating", "dual-password"] as const;
export type SqlStrategy = (typeof STRATEGIES)[number];

const seconds = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a number of seconds` })
    .positive(`${name} must be more than 0 seconds`)
    .max(600, `${name} must be at most 600 seconds`)
    .default(fallback);

export const sqlOptions = z
  .object({
    /** single: change the password in place; alternating: `name` ↔ `name_clone`; dual-password: MySQL 8 RETAIN/DISCARD. */
    strategy: z.enum(STRATEGIES, { error: (i) => `strategy "${String(i.input)}" is not one of ${STRATEGIES.join(", ")}` }).default("single"),
    /** A secret of the same vault holding a managing user's credential (a password with `CredentialId`, or JSON). */
    manager: z.string().min(1, "manager must name a secret").optional(),
    /** The alternate user's suffix (alternating). */
    cloneSuffix: z.string().min(1, "cloneSuffix must not be empty").default("_clone"),
    /** Bare-password values: where the server is, beyond `ProviderAddress`. */
    port: z.coerce.number({ error: "port must be a number" }).int("port must be a whole number").min(1).max(65_535).optional(),
    database: z.string().min(1, "database must not be empty").optional(),
    /** disable; require (encrypt, trust any certificate); verify (encrypt, check the certificate and host name). Default: the operator binding's mode for the host (verify); a weaker one than that is refused. */
    tls: z.enum(["disable", "require", "verify"], { error: (i) => `tls "${String(i.input)}" is not one of disable, require, verify` }).optional(),
    /** PEM of a private CA (policy file only: it does not fit in a tag). */
    ca: z.string().optional(),
    serverName: z.string().optional(),
    connectTimeout: seconds("connectTimeout", 10),
    statementTimeout: seconds("statementTimeout", 30),
    /** New passwords: the `random` rotator's rules; symbols off by default (connection strings, shells). */
    length: randomOptions.shape.length,
    classes: randomOptions.shape.classes.unwrap().default(["upper", "lower", "digit"]),
    exclude: randomOptions.shape.exclude,
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const c of o.classes) {
      if ([...CLASSES[c]].every((ch) => o.exclude.includes(ch))) ctx.addIssue({ code: "custom", message: `exclude leaves no character of class ${c}` });
    }
    if (o.strategy === "alternating" && !o.manager) {
      ctx.addIssue({
        code: "custom",
        path: ["manager"],
        message: "the alternating strategy needs manager (a secret holding a user that may create and alter users)",
      });
    }
  });
export type SqlOptions = z.output<typeof sqlOptions>;

/** Parses policy options, with an error message naming each bad option. */
export function parseSqlOptions(rotator: string, options: Record<string, unknown>): SqlOptions {
  const parsed = sqlOptions.safeParse(options);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) =>
    i.code === "unrecognized_keys"
      ? `unknown option ${i.keys.join(", ")}`
      : i.path.length && !i.message.startsWith(String(i.path[0]))
        ? `${i.path.join(".")}: ${i.message}`
        : i.message,
  );
  throw new Error(`${rotator} rotator options: ${problems.join("; ")}`);
}
