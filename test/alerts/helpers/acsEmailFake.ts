/**
 * A local HTTPS endpoint following the ACS Email REST shapes (api-version 2023-03-31 and later): `POST
 * /emails:send` answers 202 with `Operation-Location` and `{id, status: "Running"}`; `GET
 * /emails/operations/{id}` answers `Running` once, then `Succeeded`. It checks each request's HMAC-SHA256
 * signature (x-ms-date;host;x-ms-content-sha256) with the access key, as the service does, and refuses
 * (401) a bad one; it can answer the next sends 503. Its certificate is signed by a CA the test hands the client through `tlsOptions`.
 */
import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { createTlsMaterial } from "../../../emulator/tls.js";

export interface AcsSent {
  operationId: string;
  apiVersion: string | null;
  body: {
    senderAddress: string;
    recipients: { to: { address: string }[] };
    content: { subject: string; plainText?: string; html?: string };
    headers?: Record<string, string>;
  };
}

export class AcsEmailFake {
  readonly sent: AcsSent[] = [];
  readonly polls: string[] = [];
  readonly rejected: string[] = [];
  readonly accessKey = randomBytes(32).toString("base64");
  endpoint = "";
  caPem = "";
  #server!: Server;
  #statusCalls = new Map<string, number>();
  #failures = 0;

  /** The next `count` sends answer 503 with Retry-After 0, as a throttled or failing service does. */
  failNext(count: number): void {
    this.#failures += count;
  }

  /** Accepts again from now on. */
  recover(): void {
    this.#failures = 0;
  }

  static async start(): Promise<AcsEmailFake> {
    const fake = new AcsEmailFake();
    const tls = await createTlsMaterial();
    fake.caPem = tls.caPem;
    fake.#server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        const url = new URL(req.url ?? "/", fake.endpoint);
        const reply = (status: number, json: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { "Content-Type": "application/json", ...headers });
          res.end(JSON.stringify(json));
        };
        const problem = fake.#checkSignature(req.method ?? "", req.url ?? "/", req.headers, body);
        if (problem) {
          fake.rejected.push(problem);
          return reply(401, { error: { code: "Denied", message: problem } });
        }
        if (req.method === "POST" && url.pathname === "/emails:send" && fake.#failures > 0) {
          fake.#failures--;
          return reply(503, { error: { code: "ServiceUnavailable", message: "scripted failure" } }, { "Retry-After": "0" });
        }
        if (req.method === "POST" && url.pathname === "/emails:send") {
          const id = String(req.headers["operation-id"] ?? randomUUID());
          fake.sent.push({ operationId: id, apiVersion: url.searchParams.get("api-version"), body: JSON.parse(body) as AcsSent["body"] });
          return reply(
            202,
            { id, status: "Running", error: null },
            { "Operation-Location": `${fake.endpoint}/emails/operations/${id}?api-version=${url.searchParams.get("api-version")}`, "Retry-After": "0" },
          );
        }
        const op = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
        if (req.method === "GET" && op) {
          const id = op[1]!;
          fake.polls.push(id);
          const n = (fake.#statusCalls.get(id) ?? 0) + 1;
          fake.#statusCalls.set(id, n);
          if (!fake.sent.some((s) => s.operationId === id)) return reply(404, { error: { code: "NotFound", message: "no such operation" } });
          return reply(200, { id, status: n >= 2 ? "Succeeded" : "Running", error: null }, { "Retry-After": "0" });
        }
        reply(404, { error: { code: "NotFound", message: `${req.method} ${url.pathname}` } });
      });
    });
    await new Promise<void>((resolve) => fake.#server.listen(0, "127.0.0.1", resolve));
    fake.endpoint = `https://localhost:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  get connectionString(): string {
    return `endpoint=${this.endpoint}/;accesskey=${this.accessKey}`;
  }

  #checkSignature(method: string, pathAndQuery: string, headers: Record<string, string | string[] | undefined>, body: string): string | undefined {
    const auth = String(headers.authorization ?? "");
    const match = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(auth);
    if (!match) return `no HMAC-SHA256 authorization on ${method} ${pathAndQuery}`;
    const contentHash = createHash("sha256").update(body).digest("base64");
    if (headers["x-ms-content-sha256"] !== contentHash) return "x-ms-content-sha256 does not match the body";
    const stringToSign = `${method}\n${pathAndQuery}\n${String(headers["x-ms-date"])};${String(headers.host)};${contentHash}`;
    const expected = createHmac("sha256", Buffer.from(this.accessKey, "base64")).update(stringToSign).digest("base64");
    return expected === match[1] ? undefined : "signature mismatch";
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
