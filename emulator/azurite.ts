/**
 * @module Azurite (blob, queue, table) as a child process on free loopback ports, for the local stack and
 * tests. Telemetry is off (Azurite would otherwise call Application Insights) and the API version check is
 * skipped, since the SDKs may be newer than the Azurite release that runs on Node 20.
 *
 * Storage accounts: the well-known `devstoreaccount1` (kvguard's own state storage; its key1 never changes)
 * and any extra accounts, each with key1 and key2. Azurite reads accounts from `AZURITE_ACCOUNTS` in its own
 * environment and re-reads it only once a minute, so the child is started with a small preload that, on an
 * IPC message, replaces that variable and refreshes Azurite's account stores at once: a regenerated key
 * takes effect before `regenerate` returns, without a restart (which would lose in-memory data). With a
 * `location` the keys are kept in `<location>/kvguard-accounts.json` (plain text, like all of Azurite's
 * data), so a restarted stack serves the same keys.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
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
  /**
   * Extra accounts, `name:key1[:key2]` pairs separated by `;` (AZURITE_ACCOUNTS' format), or names alone to
   * get generated keys. `devstoreaccount1` is always served with its well-known key. Keys kept under
   * `location` win over these.
   */
  accounts?: string;
}

export type StorageKeyName = "key1" | "key2";

/** One account key, as ARM's listKeys reports it. */
export interface StorageAccountKey {
  keyName: StorageKeyName;
  value: string;
  /** ISO-8601. */
  creationTime: string;
}

export interface LocalStorageAccount {
  name: string;
  /** ISO-8601. */
  creationTime: string;
  keys: [StorageAccountKey, StorageAccountKey];
}

export interface RunningAzurite {
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  /** A connection string for the development account with all three endpoints. */
  connectionString: string;
  /** The accounts Azurite serves and their keys. */
  accounts: AzuriteAccounts;
  /** An account's endpoints (path-style: `http://127.0.0.1:port/<account>`). */
  endpointsOf(account: string): { blob: string; queue: string; table: string };
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;
const START_TIMEOUT_MS = 60_000;
const APPLY_TIMEOUT_MS = 10_000;
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;
const ACCOUNTS_FILE = "kvguard-accounts.json";

function azuriteEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("azurite/package.json")), "dist", "src", "azurite.js");
}

/**
 * Runs in Azurite's process before its entry: records every account store Azurite makes (one per service)
 * and, on `{type:"kvguard:accounts"}`, sets AZURITE_ACCOUNTS and refreshes them all, then acknowledges with
 * how many it refreshed. Tied to Azurite 3.x's `AccountDataStore`; `apply` fails loudly when it changes.
 */
function preload(entry: string): string {
  const code = `
import { createRequire } from "node:module";
const require = createRequire(${JSON.stringify(entry)});
const stores = new Set();
const Store = require("./common/AccountDataStore").default;
const init = Store.prototype.init;
Store.prototype.init = function (...args) { stores.add(this); return init.apply(this, args); };
process.on("message", (m) => {
  if (!m || m.type !== "kvguard:accounts") return;
  process.env.AZURITE_ACCOUNTS = m.accounts;
  for (const store of stores) store.refresh();
  process.send({ type: "kvguard:accounts-applied", id: m.id, stores: stores.size });
});
// The channel must not keep Azurite alive once its servers close on SIGTERM.
process.channel?.unref();`;
  return `data:text/javascript,${encodeURIComponent(code)}`;
}

function newKey(keyName: StorageKeyName, nowMs: number): StorageAccountKey {
  // Azure's account keys are 64 random bytes, base64.
  return { keyName, value: randomBytes(64).toString("base64"), creationTime: new Date(nowMs).toISOString() };
}

function newAccount(name: string, nowMs: number, key1?: string, key2?: string): LocalStorageAccount {
  const created = new Date(nowMs).toISOString();
  const k1 = key1 ? { keyName: "key1" as const, value: key1, creationTime: created } : newKey("key1", nowMs);
  const k2 = key2 ? { keyName: "key2" as const, value: key2, creationTime: created } : newKey("key2", nowMs);
  return { name, creationTime: created, keys: [k1, k2] };
}

/** `name:key1[:key2]` or `name`, separated by `;`. */
function parseAccounts(text: string, nowMs: number): LocalStorageAccount[] {
  return text
    .split(";")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, key1, key2, extra] = part.split(":");
      if (!name || !ACCOUNT_NAME.test(name) || extra !== undefined) {
        throw new Error(`Azurite accounts: "${name ?? part}" is not name[:key1[:key2]] with a storage account name (3-24 lowercase letters and digits)`);
      }
      return newAccount(name, nowMs, key1, key2);
    });
}

/** The accounts Azurite serves: their keys, kept in sync with the child's account stores. */
export class AzuriteAccounts {
  readonly #accounts = new Map<string, LocalStorageAccount>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    accounts: LocalStorageAccount[],
    readonly file: string | undefined,
    private readonly apply: (env: string) => Promise<void>,
  ) {
    for (const account of accounts) this.#accounts.set(account.name, account);
  }

  /** AZURITE_ACCOUNTS for these accounts; devstoreaccount1 keeps its well-known key1. */
  static envOf(accounts: Iterable<LocalStorageAccount>): string {
    return [...accounts].map((a) => `${a.name}:${a.keys[0].value}:${a.keys[1].value}`).join(";");
  }

  names(): string[] {
    return [...this.#accounts.keys()];
  }

  /** A copy of one account, or undefined. */
  get(name: string): LocalStorageAccount | undefined {
    const account = this.#accounts.get(name);
    return account ? structuredClone(account) : undefined;
  }

  /** Adds an account with generated keys (or returns the existing one). */
  create(name: string, nowMs = Date.now()): Promise<LocalStorageAccount> {
    return this.#change(() => {
      if (!ACCOUNT_NAME.test(name)) throw new Error(`"${name}" is not a storage account name (3-24 lowercase letters and digits)`);
      if (!this.#accounts.has(name)) this.#accounts.set(name, newAccount(name, nowMs));
      return this.#accounts.get(name)!;
    });
  }

  /** Replaces key1 or key2 with a new random key; the old one stops working before this returns. */
  regenerate(name: string, keyName: StorageKeyName, nowMs = Date.now()): Promise<LocalStorageAccount> {
    return this.#change(() => {
      if (name === DEV_ACCOUNT) {
        // kvguard's own state storage signs with the well-known key; a rotation demo uses another account.
        throw new Error(`${DEV_ACCOUNT}'s keys stay Azurite's well-known development keys; rotate another account`);
      }
      const account = this.#accounts.get(name);
      if (!account) throw new Error(`no storage account ${name}`);
      account.keys[keyName === "key1" ? 0 : 1] = newKey(keyName, nowMs);
      return account;
    });
  }

  /** One change at a time: mutate, persist, then make Azurite serve it. */
  #change(mutate: () => LocalStorageAccount): Promise<LocalStorageAccount> {
    const run = this.#queue.then(async () => {
      const account = mutate();
      if (this.file) await saveAccounts(this.file, this.#accounts.values());
      await this.apply(AzuriteAccounts.envOf(this.#accounts.values()));
      return structuredClone(account);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** Written whole to a temporary file, then renamed: a crash never leaves half a file. */
async function saveAccounts(file: string, accounts: Iterable<LocalStorageAccount>): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, JSON.stringify({ accounts: [...accounts] }, null, 2), { mode: 0o600 });
  await rename(temp, file);
}

/** Kept keys, then the options' accounts not kept yet, with devstoreaccount1 first and fixed. */
async function initialAccounts(options: AzuriteOptions, file: string | undefined): Promise<LocalStorageAccount[]> {
  const nowMs = Date.now();
  const kept = file
    ? await readFile(file, "utf8").then(
        (text) => (JSON.parse(text) as { accounts: LocalStorageAccount[] }).accounts,
        (error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT") return [];
          throw error;
        },
      )
    : [];
  const byName = new Map<string, LocalStorageAccount>();
  const dev = kept.find((a) => a.name === DEV_ACCOUNT) ?? newAccount(DEV_ACCOUNT, nowMs);
  dev.keys[0] = { ...dev.keys[0], value: DEV_ACCOUNT_KEY };
  byName.set(DEV_ACCOUNT, dev);
  for (const account of kept) if (!byName.has(account.name)) byName.set(account.name, account);
  for (const account of parseAccounts(options.accounts ?? "", nowMs)) {
    if (!byName.has(account.name)) byName.set(account.name, account);
  }
  return [...byName.values()];
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const ports = options.ports ?? {};
  const file = options.location ? join(options.location, ACCOUNTS_FILE) : undefined;
  const accounts = await initialAccounts(options, file);
  // Generated keys are kept at once, so a restart serves the same ones.
  if (file) {
    await mkdir(options.location!, { recursive: true });
    await saveAccounts(file, accounts);
  }
  const entry = azuriteEntry();
  const args = [
    "--import",
    preload(entry),
    entry,
    "--blobHost",
    "127.0.0.1",
    "--blobPort",
    String(ports.blob ?? 0),
    "--queueHost",
    "127.0.0.1",
    "--queuePort",
    String(ports.queue ?? 0),
    "--tableHost",
    "127.0.0.1",
    "--tablePort",
    String(ports.table ?? 0),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--disableProductStyleUrl",
    ...(options.location ? ["--location", options.location] : ["--inMemoryPersistence"]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, AZURITE_ACCOUNTS: AzuriteAccounts.envOf(accounts) },
  });
  // The channel alone must not keep this process alive (stop() ends the child).
  child.channel?.unref();
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

  const apply = async (env: string): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || !child.connected) throw new Error("Azurite is not running");
    const id = randomUUID();
    const applied = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.off("message", onMessage);
        reject(new Error(`Azurite did not take the new account keys within ${APPLY_TIMEOUT_MS} ms`));
      }, APPLY_TIMEOUT_MS);
      const onMessage = (m: { type?: string; id?: string; stores?: number }) => {
        if (m.type !== "kvguard:accounts-applied" || m.id !== id) return;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(m.stores ?? 0);
      };
      child.on("message", onMessage);
    });
    child.send({ type: "kvguard:accounts", id, accounts: env });
    const stores = await applied;
    // Blob, queue and table each keep a store; fewer means this Azurite no longer matches the preload.
    if (stores < 3) throw new Error(`Azurite refreshed ${stores} of its 3 account stores (has its AccountDataStore changed?)`);
  };
  const endpointsOf = (account: string) => ({
    blob: `${endpoints.blob}/${account}`,
    queue: `${endpoints.queue}/${account}`,
    table: `${endpoints.table}/${account}`,
  });
  const dev = endpointsOf(DEV_ACCOUNT);
  return {
    blobEndpoint: dev.blob,
    queueEndpoint: dev.queue,
    tableEndpoint: dev.table,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_ACCOUNT_KEY};BlobEndpoint=${dev.blob};QueueEndpoint=${dev.queue};TableEndpoint=${dev.table};`,
    accounts: new AzuriteAccounts(accounts, file, apply),
    endpointsOf,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
