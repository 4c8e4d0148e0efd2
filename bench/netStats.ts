/**
 * @module Outbound request accounting for benchmarks: wraps `http.request` and `https.request` (which the
 * Azure SDKs' Node HTTP client calls through the module object), labels each request by service and
 * operation, and adds its count, status and time to the current phase and to the job running it
 * (AsyncLocalStorage), so a benchmark can say where a rotation's time and operations go.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import http, { type ClientRequest, type IncomingMessage } from "node:http";
import https from "node:https";

export interface OpStats {
  count: number;
  totalMs: number;
  maxMs: number;
  statuses: Record<string, number>;
}

export interface JobTally {
  requests: number;
  requestMs: number;
  /** Per service ("kv", "blob", "queue", "table"): requests and summed time. */
  byService: Record<string, { requests: number; ms: number }>;
}

export interface FinishedRequest {
  service: string;
  label: string;
  status: number;
  startMs: number;
  endMs: number;
  path: string;
}

type Classifier = (port: number, method: string, path: string, req: ClientRequest) => { service: string; label: string } | undefined;

export class NetStats {
  readonly jobs = new AsyncLocalStorage<JobTally>();
  /** phase → label → stats */
  readonly phases = new Map<string, Map<string, OpStats>>();
  phase = "setup";
  #listeners = new Set<(r: FinishedRequest) => void>();
  #restore?: () => void;

  constructor(readonly classify: Classifier) {}

  install(): void {
    const track = (req: ClientRequest, args: unknown[]) => this.#track(req, args);
    const wrap = <T extends typeof http.request>(mod: { request: T }): (() => void) => {
      const original = mod.request;
      const wrapped = function (this: unknown, ...args: unknown[]): ClientRequest {
        const req = (original as (...a: unknown[]) => ClientRequest).apply(this, args);
        track(req, args);
        return req;
      };
      mod.request = wrapped as unknown as T;
      return () => (mod.request = original);
    };
    const undoHttp = wrap(http);
    const undoHttps = wrap(https as unknown as { request: typeof http.request });
    this.#restore = () => {
      undoHttp();
      undoHttps();
    };
  }

  uninstall(): void {
    this.#restore?.();
  }

  onFinished(listener: (r: FinishedRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #track(req: ClientRequest, args: unknown[]): void {
    const first = args[0];
    let port = NaN;
    if (first instanceof URL) port = Number(first.port);
    else if (typeof first === "string") port = Number(new URL(first).port);
    else if (first && typeof first === "object") port = Number((first as { port?: unknown }).port);
    const method = req.method;
    const path = req.path;
    const kind = this.classify(port, method, path, req);
    if (!kind) return;
    const startMs = performance.now();
    const phase = this.phase;
    const job = this.jobs.getStore();
    let done = false;
    const finish = (status: number) => {
      if (done) return;
      done = true;
      const endMs = performance.now();
      const ms = endMs - startMs;
      let byLabel = this.phases.get(phase);
      if (!byLabel) this.phases.set(phase, (byLabel = new Map<string, OpStats>()));
      const label = `${kind.service} ${kind.label}`;
      let op = byLabel.get(label);
      if (!op) byLabel.set(label, (op = { count: 0, totalMs: 0, maxMs: 0, statuses: {} }));
      op.count += 1;
      op.totalMs += ms;
      op.maxMs = Math.max(op.maxMs, ms);
      op.statuses[status] = (op.statuses[status] ?? 0) + 1;
      if (job) {
        job.requests += 1;
        job.requestMs += ms;
        const s = (job.byService[kind.service] ??= { requests: 0, ms: 0 });
        s.requests += 1;
        s.ms += ms;
      }
      for (const l of this.#listeners) l({ service: kind.service, label: kind.label, status, startMs, endMs, path });
    };
    req.once("response", (res: IncomingMessage) => {
      res.once("end", () => finish(res.statusCode ?? 0));
      res.once("close", () => finish(res.statusCode ?? 0));
    });
    req.once("error", () => finish(0));
  }

  /** Per-label stats of one phase, most requests first. */
  table(phase: string): [string, OpStats][] {
    return [...(this.phases.get(phase) ?? new Map<string, OpStats>()).entries()].sort((a, b) => b[1].count - a[1].count);
  }
}

export function newJobTally(): JobTally {
  return { requests: 0, requestMs: 0, byService: {} };
}
