/**
 * @module A real Redis behind each local Azure Cache for Redis: the machine's `redis-server` as a child
 * process on a free loopback port, TLS only (the cache's `sslPort`, with the local Key Vault's certificate, so
 * clients trust the one local CA), nothing saved to disk. Both access keys are passwords of Redis's `default`
 * user (`requirepass` sets the first, ACL adds the second), so AUTH works with either, as in Azure; a
 * regenerated key replaces its password before the ARM answer is sent, and the old one is refused from then on.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Redis } from "ioredis";
import type { TlsMaterial } from "../../tls.js";

/** Where the machine's Redis is looked for (Debian's package); `REDIS_SERVER` overrides. */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

/** Children still running, stopped when this process exits without closing the cloud (a test worker ending). */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class RedisServer {
  private constructor(
    readonly port: number,
    readonly child: ChildProcess,
    readonly admin: Redis,
  ) {}

  /** Starts a server whose `default` user accepts both keys; TLS material files go in `workDir`. */
  static async start(tls: TlsMaterial, workDir: string, keys: { primary: string; secondary: string }): Promise<RedisServer> {
    const cert = join(workDir, "redis-cert.pem");
    const key = join(workDir, "redis-key.pem");
    writeFileSync(cert, tls.certPem, { mode: 0o600 });
    writeFileSync(key, tls.keyPem, { mode: 0o600 });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // The password goes in through stdin's config (not argv, which `ps` shows).
      const child = spawn(REDIS_SERVER, ["-"], { stdio: ["pipe", "pipe", "pipe"] });
      const config = [
        "port 0",
        `tls-port ${port}`,
        "bind 127.0.0.1",
        `tls-cert-file ${cert}`,
        `tls-key-file ${key}`,
        "tls-auth-clients no",
        'save ""',
        "appendonly no",
        `requirepass ${keys.primary}`,
      ];
      child.stdin.end(`${config.join("\n")}\n`);
      running.add(child);
      child.once("exit", () => running.delete(child));
      const ready = await RedisServer.#ready(child);
      if (ready === true) {
        const admin = new Redis({ host: "127.0.0.1", port, password: keys.primary, tls: { ca: tls.caPem }, lazyConnect: true, maxRetriesPerRequest: 1 });
        await admin.connect();
        await admin.call("ACL", "SETUSER", "default", `>${keys.secondary}`);
        return new RedisServer(port, child, admin);
      }
      if (attempt >= 3 || !/address already in use/i.test(ready)) throw new Error(`redis-server (${REDIS_SERVER}) did not start: ${ready}`);
    }
  }

  static async #ready(child: ChildProcess): Promise<true | string> {
    const lines: string[] = [];
    const exited = once(child, "exit").then(() => lines.slice(-5).join(" | ") || "it exited");
    const failed = once(child, "error").then(([error]) => (error as Error).message);
    const started = new Promise<true>((resolve) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        lines.push(line);
        if (/Ready to accept connections/.test(line)) resolve(true);
      });
    });
    return Promise.race([started, exited, failed]);
  }

  /** Replaces one key's password: the old one is refused for new connections from now on. */
  async replace(oldKey: string, newKey: string): Promise<void> {
    await this.admin.call("ACL", "SETUSER", "default", `<${oldKey}`, `>${newKey}`);
  }

  async stop(): Promise<void> {
    this.admin.disconnect();
    if (this.child.exitCode === null) {
      const exited = once(this.child, "exit");
      this.child.kill("SIGTERM");
      await exited;
    }
  }
}
