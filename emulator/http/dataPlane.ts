/**
 * @module The data-plane request pipeline: challenge and token, route, body, throttling, RBAC, handler,
 * response, and one audit record for every request whatever its outcome.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { AuditInput } from "../audit/record.js";
import { challengeError } from "../auth/challenge.js";
import { identityFromAuthorization, type Identity } from "../auth/identity.js";
import { forbiddenByRbac, isAuthorized, targetOf, type RequestTarget } from "../auth/rbac.js";
import type { BackupSealer } from "../common/backup.js";
import type { EventBus } from "../events/bus.js";
import type { Faults } from "../faults.js";
import { settleForRequest } from "../settle.js";
import { TRANSACTIONS, type Throttle } from "../throttle.js";
import type { Vault } from "../vault.js";
import { errors, KvError } from "./errors.js";
import { parseJson, readBody, sendJson } from "./io.js";
import type { Route, RouteContext } from "./route.js";
import type { Router } from "./router.js";

export interface DataPlaneDeps {
  router: Router<Route>;
  events: EventBus;
  backups: BackupSealer;
  throttle?: Throttle;
  /** Injected failures, answered before throttling and RBAC. */
  faults?: Faults;
  nowMs(): number;
  /** How long soft deletes, recovers and self-signed issuance take, in ms of the vault's clock. */
  lroMs: number;
  audit(input: AuditInput): void;
  /** Called after a request that changed vault state. */
  changed(): void;
}

function callerIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function tlsVersion(req: IncomingMessage): string | undefined {
  const protocol = (req.socket as TLSSocket).getProtocol?.();
  return protocol ? protocol.replace("TLSv", "TLS").replace(".", "_") : undefined;
}

/** The object a request names, with the certificate that manages it when it is a certificate's key or secret. */
function managedTarget(vault: Vault, target: RequestTarget | undefined): RequestTarget | undefined {
  if (!target || target.collection === "certificates") return target;
  const store = target.collection === "secrets" ? vault.secrets : vault.keys;
  const entry = store.has(target.name) ? store.entry(target.name) : store.deletedEntry(target.name);
  return entry?.versions.at(-1)?.managed ? { ...target, managedBy: entry.name } : target;
}

export async function handleDataPlane(vault: Vault, req: IncomingMessage, res: ServerResponse, url: URL, deps: DataPlaneDeps): Promise<void> {
  const startedMs = deps.nowMs();
  const started = performance.now();
  const query = new URLSearchParams(url.search);
  const method = req.method ?? "GET";
  const correlationId = String(req.headers["x-ms-client-request-id"] ?? "");
  const requestIds = { "x-ms-request-id": randomUUID(), "x-ms-client-request-id": correlationId };
  let route: Route | undefined;
  let identity: Identity | undefined;
  let isRbacAuthorized: boolean | undefined;
  let objectId: string | undefined;
  let status = 200;
  let operationName = "Unknown";
  let errorMessage: string | undefined;

  try {
    const body = await readBody(req);
    let params: Record<string, string> = {};
    try {
      ({ route, params } = deps.router.match(method, url.pathname));
      operationName = route.operation;
    } catch (error) {
      // Even an unknown path is challenged first, as the service does, and logged as Authentication.
      if (!req.headers.authorization) {
        operationName = "Authentication";
        throw challengeError(vault.settings.tenantId);
      }
      throw error;
    }
    if (!req.headers.authorization) {
      operationName = "Authentication";
      throw challengeError(vault.settings.tenantId);
    }
    identity = identityFromAuthorization(req.headers.authorization);
    const ctx: RouteContext = {
      vault,
      params,
      query,
      body: parseJson(body),
      identity,
      now: Math.floor(deps.nowMs() / 1000),
      nowMs: deps.nowMs(),
      events: deps.events,
      backups: deps.backups,
      lroMs: deps.lroMs,
    };
    const fault = deps.faults?.take(method, url.pathname);
    if (fault) throw fault;
    if (deps.throttle) {
      const bucket = route.throttle?.(ctx) ?? TRANSACTIONS;
      const retryAfter = deps.throttle.admit(vault.name, vault.settings.subscriptionId, bucket);
      if (retryAfter !== undefined) throw errors.throttled(retryAfter);
    }
    // Deletes, recovers and issuance whose moment has passed complete before the request sees the vault.
    const named = targetOf(route.path, params);
    if (settleForRequest(vault, deps.events, ctx.nowMs, named?.name)) deps.changed();
    const target = managedTarget(vault, named);
    isRbacAuthorized = isAuthorized(vault.roleAssignments, identity, route.action, target);
    if (!isRbacAuthorized) throw forbiddenByRbac(identity, route.action, vault.resourceId, vault.name);
    const result = await route.handle(ctx);
    status = result.status ?? 200;
    objectId = result.objectId;
    if (result.mutated) deps.changed();
    sendJson(res, status, result.body, { ...requestIds, ...result.headers });
  } catch (error) {
    const kvError = error instanceof KvError ? error : new KvError(500, "InternalServerError", "The service encountered an internal error.");
    if (!(error instanceof KvError)) console.error("local Key Vault: unexpected error", error);
    status = kvError.status;
    objectId = kvError.objectId;
    errorMessage = kvError.message;
    sendJson(res, status, kvError.toBody(), { ...requestIds, ...kvError.headers });
  } finally {
    deps.audit({
      timeMs: startedMs,
      resourceId: vault.resourceId,
      operationName,
      apiVersion: query.get("api-version") ?? "",
      status,
      durationMs: performance.now() - started,
      callerIp: callerIp(req),
      correlationId,
      claims: identity?.claims,
      objectId,
      requestUri: `${vault.url}${url.pathname}${url.search}`,
      clientInfo: String(req.headers["user-agent"] ?? ""),
      isRbacAuthorized: vault.roleAssignments.length > 0 ? isRbacAuthorized : undefined,
      tlsVersion: tlsVersion(req),
      errorMessage: status >= 400 ? errorMessage : undefined,
    });
  }
}
