/**
 * @module The local Functions runner: runs every function of the function table the way the Functions host
 * would, in this process. Timers fire on their NCRONTAB schedules, storage-queue triggers poll Azurite,
 * Event Grid functions answer at the host's webhook, HTTP functions at `/api/<route>`. Trigger options
 * resolve `%SETTING%` like the host. A function that cannot start is reported and the others run; a failing
 * invocation is logged and never stops the runner. Unlike the host, it refuses requests not addressed to
 * itself (`ownOrigin.ts`): a web page must not be able to rotate secrets on a developer's machine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { QueueServiceClient } from "@azure/storage-queue";
import { ensureError } from "../../src/common/errors.js";
import { oneLine } from "../../src/common/logText.js";
import type {
  EventGridFunctionDefinition,
  FunctionDefinition,
  FunctionKind,
  HttpFunctionDefinition,
  StorageQueueFunctionDefinition,
} from "../../src/functions/table.js";
import { resolveAppSettings, type Env } from "./appSettings.js";
import { EVENT_GRID_WEBHOOK_PATH, serveEventGrid } from "./eventGridWebhook.js";
import { readHostSettings, type HostSettings, type QueueSettings } from "./hostJson.js";
import { compileRoute, serveHttpFunction, type RouteMatcher } from "./httpTrigger.js";
import type { LineWriter } from "./invocation.js";
import { ownOriginCheck, type RequestCheck } from "./ownOrigin.js";
import { startQueuePoller, type RunningQueuePoller } from "./queueTrigger.js";
import { startTimer, type RunningTimer } from "./timerTrigger.js";

/** The port `func start` uses. */
export const DEFAULT_FUNCTIONS_PORT = 7071;
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LocalRunnerOptions {
  /** The function table (the app's `functionTable`). */
  table: readonly FunctionDefinition[];
  /** App settings: `%NAME%` expressions and storage connections are read here. */
  env: Env;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Default: the app's host.json. */
  host?: HostSettings;
  /** Overrides of host.json's queue settings (tests retry faster). */
  queues?: Partial<QueueSettings>;
  /** Default: console.log. Each line the runner and its functions write reaches it escaped (`oneLine`). */
  write?: LineWriter;
}

export interface RunnerFunction {
  name: string;
  kind: FunctionKind;
  /** Where or when it runs: the schedule, the queue, the URL. */
  trigger: string;
}

export interface LocalRunner {
  /** `http://127.0.0.1:PORT` */
  baseUrl: string;
  functions: RunnerFunction[];
  /** Functions that could not start, with why. */
  failed: { name: string; error: string }[];
  /** The Event Grid webhook of an Event Grid function, as a subscription's endpoint. */
  webhookUrl(functionName: string): string;
  stop(): Promise<void>;
}

interface HttpEntry {
  definition: HttpFunctionDefinition;
  match: RouteMatcher;
}

function storageConnection(definition: StorageQueueFunctionDefinition, env: Env): string {
  const value = env[definition.connection]?.trim();
  if (value) return value;
  if (env[`${definition.connection}__accountName`]) {
    throw new Error(`${definition.connection}__accountName (managed identity) does not work locally: set ${definition.connection} to a connection string`);
  }
  throw new Error(`the connection setting ${definition.connection} is not set`);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on("error", reject);
  });
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function startLocalRunner(options: LocalRunnerOptions): Promise<LocalRunner> {
  const print = options.write ?? ((line: string) => console.log(line));
  // The runner's printing is a log boundary: a function's log line quoting a request or a tag stays one line.
  const write: LineWriter = (line) => print(oneLine(line));
  const host = options.host ?? readHostSettings();
  const queueSettings: QueueSettings = { ...host.queues, ...options.queues };
  const prefix = `/${host.routePrefix}/`;
  const failed: LocalRunner["failed"] = [];
  const seen = new Set<string>();
  const accepted = options.table.filter((definition) => {
    const key = definition.name.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      return true;
    }
    failed.push({ name: definition.name, error: "the name is in the function table twice (names are case-insensitive)" });
    return false;
  });

  const httpEntries: HttpEntry[] = [];
  const eventGrid = new Map<string, EventGridFunctionDefinition>();
  for (const definition of accepted) {
    if (definition.kind === "http") httpEntries.push({ definition, match: compileRoute(definition.route ?? definition.name) });
    else if (definition.kind === "eventGrid") eventGrid.set(definition.name.toLowerCase(), definition);
  }

  let foreign: RequestCheck = () => "the runner is not listening yet";
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const refusal = foreign(req.headers);
    if (refusal !== undefined) {
      write(`local runner: refused ${req.method} ${req.url}: ${refusal}`);
      const text = `refused: ${refusal}; the local runner answers only requests addressed to it`;
      return void res.writeHead(403, { "Content-Type": "text/plain", "Content-Length": String(Buffer.byteLength(text)), Connection: "close" }).end(text);
    }
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const method = (req.method ?? "GET").toUpperCase();
    const body = await readBody(req);
    if (!body) return void res.writeHead(413, { "Content-Length": "0" }).end();
    if (url.pathname.toLowerCase() === EVENT_GRID_WEBHOOK_PATH) {
      return serveEventGrid(eventGrid, { method, url, headers: req.headers, body }, res, write);
    }
    if (url.pathname.toLowerCase().startsWith(prefix)) {
      const path = url.pathname.slice(prefix.length - 1);
      for (const { definition, match } of httpEntries) {
        const params = match(path);
        if (params && definition.methods.includes(method as HttpFunctionDefinition["methods"][number])) {
          return serveHttpFunction(definition, { method, url, headers: req.headers, body, params }, res, write);
        }
      }
    }
    // The host answers an unknown route, or a known one with another method, with a bare 404.
    res.writeHead(404, { "Content-Length": "0" }).end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      write(`local runner: ${req.method} ${req.url}: ${ensureError(error).message}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Length": "0" });
      res.end();
    });
  });
  const port = await listen(server, options.port ?? DEFAULT_FUNCTIONS_PORT);
  foreign = ownOriginCheck(port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const webhookUrl = (functionName: string) => `${baseUrl}${EVENT_GRID_WEBHOOK_PATH}?functionName=${encodeURIComponent(functionName)}`;

  const functions: RunnerFunction[] = [];
  const timers: RunningTimer[] = [];
  const pollers = new Map<string, RunningQueuePoller>();
  const nudge = (queueName: string) => pollers.get(queueName)?.nudge();
  for (const definition of accepted) {
    try {
      switch (definition.kind) {
        case "timer": {
          const schedule = resolveAppSettings(definition.schedule, options.env);
          timers.push(startTimer(definition, schedule, write));
          functions.push({ name: definition.name, kind: "timer", trigger: `schedule ${schedule} (UTC)` });
          break;
        }
        case "storageQueue": {
          const queueName = resolveAppSettings(definition.queueName, options.env);
          const service = QueueServiceClient.fromConnectionString(storageConnection(definition, options.env));
          const target = {
            queueName,
            connection: definition.connection,
            queue: service.getQueueClient(queueName),
            poison: service.getQueueClient(`${queueName}-poison`),
          };
          pollers.set(queueName, startQueuePoller(definition, target, queueSettings, write, nudge));
          functions.push({ name: definition.name, kind: "storageQueue", trigger: `queue ${queueName}` });
          break;
        }
        case "eventGrid":
          functions.push({ name: definition.name, kind: "eventGrid", trigger: `POST ${webhookUrl(definition.name)}` });
          break;
        case "http":
          functions.push({
            name: definition.name,
            kind: "http",
            trigger: `${definition.methods.join(",")} ${baseUrl}${prefix}${definition.route ?? definition.name}`,
          });
          break;
      }
    } catch (error) {
      failed.push({ name: definition.name, error: ensureError(error).message });
    }
  }
  for (const failure of failed) write(`local runner: function ${failure.name} is not running: ${failure.error}`);

  return {
    baseUrl,
    functions,
    failed,
    webhookUrl,
    async stop() {
      await Promise.all([...timers.map((t) => t.stop()), ...[...pollers.values()].map((p) => p.stop())]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
