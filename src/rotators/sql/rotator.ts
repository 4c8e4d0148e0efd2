/**
 * @module `createSqlRotator(dialect, name)`: one SecretRotator for any SQL engine, so each engine's rotator
 * is a dialect plus one line. The strategy is chosen per secret by the policy's `strategy` option:
 *
 * - `single`: the login's password changes in place, over the login's own connection (current password) or
 *   a managing user's (`manager` = a secret of the same vault holding that user's credential);
 * - `alternating`: `name` ↔ `name_clone`. The idle user gets the new password (created from the active one
 *   by the managing user when missing, with its grants), becomes the live credential, and the previously
 *   active user keeps working through the grace period; revoke then gives it a password nobody holds;
 * - `dual-password`: MySQL 8's `RETAIN CURRENT PASSWORD`, revoke = `DISCARD OLD PASSWORD`; only where the
 *   dialect's connection offers `dualPassword`.
 *
 * Every step is idempotent (the engine reruns steps after a crash): `set` is skipped by the engine when the
 * pending credential already logs in, cloning tolerates an existing clone, revoke of a gone user succeeds.
 */
import { generate } from "../random/index.js";
import type { Credential, RotatorContext, SecretRotator } from "../types.js";
import { SqlRotationError, type SqlConnection, type SqlDialect, type SqlEndpoint, type SqlLogin } from "./dialect.js";
import type { Target } from "../../rotation/bindings.js";
import { managerForTag, managerLogin, readManager } from "./manager.js";
import { parseSqlOptions, type SqlOptions } from "./options.js";
import { parseSqlValue, tlsModeOf, type SqlSecretValue, type TlsPolicy } from "./value.js";

/** The other user of an alternating pair: `app` ↔ `app_clone`. */
export function alternateUser(username: string, suffix: string): string {
  return username.length > suffix.length && username.endsWith(suffix) ? username.slice(0, -suffix.length) : `${username}${suffix}`;
}

function optionsOf(ctx: RotatorContext): SqlOptions {
  return ctx.options as SqlOptions;
}

/** Connects as `login`; a failure says which credential it was (current, pending, managing). */
async function connect(dialect: SqlDialect, endpoint: SqlEndpoint, login: SqlLogin, which: string): Promise<SqlConnection> {
  try {
    return await dialect.connect(endpoint, login);
  } catch (error) {
    if (error instanceof SqlRotationError) throw new SqlRotationError(error.failure, `${which}: ${error.message}`, { cause: error });
    throw error;
  }
}

async function using<T>(connection: SqlConnection, act: (c: SqlConnection) => Promise<T>): Promise<T> {
  try {
    return await act(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export function createSqlRotator(dialect: SqlDialect, name: string): SecretRotator {
  const tlsPolicy = (ctx: RotatorContext): TlsPolicy => ({ rotator: name, ...(ctx.tlsFloor ? { floor: ctx.tlsFloor } : {}) });

  /** A credential's value; a bare password's login is the rotator's `credentialId` or the secret's tag. */
  const parse = (ctx: RotatorContext, credential: Credential, which: string): SqlSecretValue =>
    parseSqlValue(
      credential.value,
      {
        ...(ctx.contentType !== undefined ? { contentType: ctx.contentType } : {}),
        ...((credential.metadata.credentialId ?? ctx.credentialId) !== undefined ? { credentialId: credential.metadata.credentialId ?? ctx.credentialId } : {}),
        ...(ctx.providerAddress !== undefined ? { providerAddress: ctx.providerAddress } : {}),
      },
      optionsOf(ctx),
      dialect.defaultPort,
      `the ${which} value of secret ${ctx.secretName}`,
      tlsPolicy(ctx),
    );

  /** The live secret as Key Vault has it now (revoke runs long after the rotation that made it). */
  const live = async (ctx: RotatorContext): Promise<SqlSecretValue> => {
    if (!ctx.readSecret) throw new Error(`the ${name} rotator needs to read secrets of the vault (readSecret), which this caller does not offer`);
    const secret = await ctx.readSecret(ctx.secretName);
    return parseSqlValue(
      secret.value,
      {
        ...(secret.contentType !== undefined ? { contentType: secret.contentType } : {}),
        credentialId: secret.tags.CredentialId,
        providerAddress: secret.tags.ProviderAddress,
      },
      optionsOf(ctx),
      dialect.defaultPort,
      `the live value of secret ${ctx.secretName}`,
      tlsPolicy(ctx),
    );
  };

  /** A connection as the managing user when the policy names one, else as `own`. */
  const admin = async (ctx: RotatorContext, target: SqlSecretValue, own: SqlLogin | undefined): Promise<SqlConnection> => {
    const options = optionsOf(ctx);
    if (options.manager) {
      const login = await managerLogin(ctx, options.manager, target.endpoint);
      return connect(dialect, target.endpoint, login, `the managing credential (secret ${options.manager}, user ${login.username})`);
    }
    if (!own) throw new Error(`the ${options.strategy} strategy needs the manager option`);
    return connect(dialect, target.endpoint, own, `the current credential (user ${own.username})`);
  };

  return {
    name,
    // Alternating users and dual passwords keep the old credential valid until revoke; with the single
    // strategy the old password dies at `set` and revoke has nothing to do.
    credentials: "dual",
    // Whom the TLS check trusts is the operator's to say, never a tag's.
    operatorOptions: ["ca", "serverName"],
    parseOptions: (options) => parseSqlOptions(name, options),

    /** The server (and its TLS mode), and the managing credential with where it would be used. */
    async targets(ctx, current) {
      const { endpoint, login } = parse(ctx, current, "current");
      const targets: Target[] = [{ kind: "host", host: endpoint.host, port: endpoint.port, tls: tlsModeOf(endpoint.tls), login: login.username }];
      const manager = optionsOf(ctx).manager;
      // Whether this secret is itself a managing credential (its own tag): the operator decides if kvguard rotates one.
      const own = ctx.readSecret ? await ctx.readSecret(ctx.secretName) : undefined;
      targets.push({
        kind: "own-login",
        secret: ctx.secretName,
        strategy: optionsOf(ctx).strategy,
        throughManager: manager !== undefined,
        managerFor: managerForTag(own?.tags ?? {}),
      });
      if (manager) {
        const m = await readManager(ctx, manager);
        targets.push({
          kind: "manager",
          secret: manager,
          host: endpoint.host,
          port: endpoint.port,
          taggedFor: m.taggedFor,
          ...(m.ownHost ? { ownHost: m.ownHost } : {}),
        });
      }
      return targets;
    },

    /** The login the current value proved to hold: what an alternating revoke may later lock out. */
    identify(ctx, current) {
      return Promise.resolve({ credentialId: parse(ctx, current, "current").login.username });
    },

    create(ctx, current) {
      const options = optionsOf(ctx);
      const value = parse(ctx, current, "current");
      const username = options.strategy === "alternating" ? alternateUser(value.login.username, options.cloneSuffix) : value.login.username;
      const password = generate({ length: options.length, classes: options.classes, exclude: options.exclude });
      return Promise.resolve({ value: value.with({ username, password }), metadata: { credentialId: username } });
    },

    async set(ctx, pending, current) {
      const options = optionsOf(ctx);
      const next = parse(ctx, pending, "pending");
      const now = parse(ctx, current, "current");
      const { username, password } = next.login;
      await using(await admin(ctx, now, now.login), async (c) => {
        if (options.strategy === "single") return c.setPassword(username, password);
        if (options.strategy === "dual-password") {
          if (!c.dualPassword) {
            throw new SqlRotationError(
              "other",
              `the ${dialect.engine} server has no dual passwords (MySQL 8.0.14 or later): use the single or alternating strategy`,
            );
          }
          return c.dualPassword.retainCurrent(username, password);
        }
        if (await c.userExists(username)) return c.setPassword(username, password);
        // Only the clone is made on demand; the original user missing is a mistake to report.
        if (username !== alternateUser(now.login.username, options.cloneSuffix) || !username.endsWith(options.cloneSuffix)) {
          throw new SqlRotationError("user-not-found", `user ${username} does not exist (it alternates with ${now.login.username})`);
        }
        ctx.log(`creating the alternate user ${username} from ${now.login.username}`);
        return c.cloneUser(now.login.username, username, password);
      });
    },

    async test(ctx, credential, which) {
      const value = parse(ctx, credential, which);
      const connection = await connect(dialect, value.endpoint, value.login, `the ${which} credential (user ${value.login.username})`);
      await connection.close();
    },

    async revoke(ctx, previous) {
      const options = optionsOf(ctx);
      if (options.strategy === "single") return;
      const now = await live(ctx);
      if (options.strategy === "dual-password") {
        await using(await admin(ctx, now, now.login), async (c) => {
          if (!c.dualPassword) throw new SqlRotationError("other", `the ${dialect.engine} server has no dual passwords`);
          await c.dualPassword.discardOld(now.login.username);
        });
        return;
      }
      // kvguard's own record of the user it switched away from (never the secret's current tags).
      const old = previous.metadata.credentialId;
      if (old === undefined) {
        ctx.log("kvguard recorded no user for the previous version; nothing revoked");
        return;
      }
      if (old === now.login.username) {
        ctx.log(`user ${old} is the live credential again (rotated since); not revoked`);
        return;
      }
      await using(await admin(ctx, now, undefined), async (c) => {
        if (!(await c.userExists(old))) return;
        // A password nobody holds: the idle user stays (the next rotation sets it) but no longer logs in.
        await c.setPassword(old, generate({ length: Math.max(options.length, 32), classes: ["upper", "lower", "digit"], exclude: "" }));
        ctx.log(`revoked user ${old}: its password was replaced by one nobody holds`);
      });
    },

    async checkManager(ctx, current) {
      const target = parse(ctx, current, "current");
      const { manager } = optionsOf(ctx);
      if (!manager) return `no manager option: user ${target.login.username} changes its own password`;
      // Looking the user up is a read that needs the privileges `set` relies on (mysql.user, pg_roles...).
      const found = await using(await admin(ctx, target, undefined), (c) => c.userExists(target.login.username));
      if (!found) throw new Error(`the managing credential (secret ${manager}) logs in but finds no user ${target.login.username}`);
      return `the managing credential (secret ${manager}) logs in at ${target.endpoint.host}:${target.endpoint.port} and finds user ${target.login.username}`;
    },
  };
}
