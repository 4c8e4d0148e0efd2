/**
 * @module Azurite (blob, queue, table) as a child process on free loopback ports, for the local stack and
 * tests. Telemetry is off (Azurite would otherwise call Application Insights) and the API version check is
 * skipped, since the SDKs may be newer than the Azurite release that runs on Node 20.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

/** Azurite's well-known development account (public, documented; not a secret). */
export const DEV_ACCOUNT = "devstoreaccount1";
export const DEV_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Keep data in this folder; in memory when absent. */
  location?: string;
  /** Fixed ports (0 = pick); default all 0. */
  ports?: { blob?: number; queue?: number; table?: number };
  /** Extra accounts, `name:key` pairs, passed as AZURITE_ACCOUNTS. */
  accounts?: string;
}

export interface RunningAzurite {
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  /** A connection string for the development account with all three endpoints. */
  connectionString: string;
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;
const START_TIMEOUT_MS = 20_000;

function azuriteEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ports = options.ports ?? {};
  const args = [
    azuriteEntry(),
    "--blobHost", "127.0.0.1", "--blobPort", String(ports.blob ?? 0),
    "--queueHost", "127.0.0.1", "--queuePort", String(ports.queue ?? 0),
    "--tableHost", "127.0.0.1", "--tablePort", String(ports.table ?? 0),
    "--skipApiVersionCheck", "--disableTelemetry", "--disableProductStyleUrl",
    ...(options.location ? ["--location", options.location] : ["--inMemoryPersistence"]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...(options.accounts ? { AZURITE_ACCOUNTS: options.accounts } : {}) },
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const endpoints: Record<string, string> = {};
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<void>((resolve) => {
    lines.on("line", (line) => {
      const match = LISTENING.exec(line);
      if (match) endpoints[match[1]!.toLowerCase()] = match[2]!;
      if (Object.keys(endpoints).length === 3) resolve();
    });
  });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`Azurite exited (${String(code)}) before it was ready: ${stderr.trim().slice(0, 500)}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Azurite did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
  });
  try {
    await Promise.race([ready, exited, timeout]);
  } catch (error) {
    child.kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  exited.catch(() => undefined);
  const blobEndpoint = `${endpoints.blob}/${DEV_ACCOUNT}`;
  const queueEndpoint = `${endpoints.queue}/${DEV_ACCOUNT}`;
  const tableEndpoint = `${endpoints.table}/${DEV_ACCOUNT}`;
  return {
    blobEndpoint,
    queueEndpoint,
    tableEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
