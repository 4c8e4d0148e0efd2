/**
 * A fault-injecting HTTP proxy in front of Azurite: every request passes through unchanged, except the next
 * `count` that match a rule (method, path, body), which get a storage error instead and never reach Azurite.
 * `connectionString` is Azurite's with the queue and table endpoints pointed at the proxy, so a real SDK
 * client meets the fault where an outage would hit it. Use a status the SDKs do not retry (403), or they
 * retry it away.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RunningAzurite } from "../../emulator/azurite.js";

export interface FaultRule {
  method?: string;
  path?: RegExp;
  /** Matched against the request body as text. */
  body?: RegExp;
  status: number;
  count: number;
}

interface ActiveRule extends FaultRule {
  served: number;
}

export class StorageFaultProxy {
  readonly #rules: ActiveRule[] = [];
  readonly #servers: Server[] = [];
  connectionString = "";

  static async start(azurite: RunningAzurite): Promise<StorageFaultProxy> {
    const proxy = new StorageFaultProxy();
    const queue = await proxy.#listen(new URL(azurite.queueEndpoint));
    const table = await proxy.#listen(new URL(azurite.tableEndpoint));
    proxy.connectionString = azurite.connectionString
      .replace(/QueueEndpoint=http:\/\/[^/;]+/, `QueueEndpoint=http://127.0.0.1:${queue}`)
      .replace(/TableEndpoint=http:\/\/[^/;]+/, `TableEndpoint=http://127.0.0.1:${table}`);
    return proxy;
  }

  /** Fails the next `count` matching requests with `status`; returns how many it has failed so far. */
  fail(rule: FaultRule): () => number {
    const active = { ...rule, served: 0 };
    this.#rules.push(active);
    return () => active.served;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  #match(req: IncomingMessage, body: string): ActiveRule | undefined {
    return this.#rules.find(
      (r) => r.served < r.count && (!r.method || r.method === req.method) && (!r.path || r.path.test(req.url ?? "")) && (!r.body || r.body.test(body)),
    );
  }

  async #listen(target: URL): Promise<number> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const rule = this.#match(req, body.toString("utf8"));
        if (rule) {
          rule.served += 1;
          const text = JSON.stringify({ "odata.error": { code: "InjectedFault", message: { value: `injected fault (${rule.status})` } } });
          res.writeHead(rule.status, { "Content-Type": "application/json", "x-ms-error-code": "InjectedFault" }).end(text);
          return;
        }
        const upstream = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on("error", () => res.writeHead(502).end());
        upstream.end(body);
      });
    });
    this.#servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }
}
