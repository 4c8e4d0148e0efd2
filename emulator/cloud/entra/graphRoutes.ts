/**
 * @module Microsoft Graph's application endpoints that client-secret rotation calls, over the local
 * directory: `GET /v1.0/applications/{id}` and `/v1.0/applications(appId='{appId}')`, and their
 * `addPassword` and `removePassword` actions. Answers follow Graph's documented shapes: the password
 * credential with `secretText` once, 204 on removal, and Graph's error body (`Authorization_RequestDenied`
 * 403 for a caller without Application.ReadWrite.OwnedBy (as an owner) or .All, `Request_ResourceNotFound`
 * 404, 400 for a password the app's limits or app-management policy refuse).
 */
import { randomUUID } from "node:crypto";
import type { Identity } from "../../auth/identity.js";
import type { CloudRequest, CloudResponse, CloudRoute } from "../host.js";
import { PasswordRefused, type EntraApplication, type EntraDirectory, type NewPassword, type StoredPassword } from "./directory.js";

/** Graph's error body: code, message, optional details, and the innerError every Graph error carries. */
export function graphError(status: number, code: string, message: string, details?: unknown[]): CloudResponse {
  const requestId = randomUUID();
  return {
    status,
    body: {
      error: {
        code,
        message,
        ...(details && details.length > 0 ? { details } : {}),
        innerError: { date: new Date().toISOString().slice(0, 19), "request-id": requestId, "client-request-id": requestId },
      },
    },
  };
}

const denied = () => graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

function notFound(ref: string): CloudResponse {
  return graphError(404, "Request_ResourceNotFound", `Resource '${ref}' does not exist or one of its queried reference-property objects are not present.`);
}

/** `applications(appId='…')` (quotes possibly percent-encoded, already decoded by the router). */
function appIdOf(segment: string): string | undefined {
  return /^applications\(appId='([^']+)'\)$/i.exec(segment)?.[1];
}

function passwordView(p: StoredPassword) {
  return {
    customKeyIdentifier: null,
    displayName: p.displayName,
    endDateTime: p.endDateTime,
    hint: p.hint,
    keyId: p.keyId,
    secretText: null,
    startDateTime: p.startDateTime,
  };
}

export function applicationView(app: EntraApplication, baseUrl: string) {
  return {
    "@odata.context": `${baseUrl}/v1.0/$metadata#applications/$entity`,
    id: app.id,
    appId: app.appId,
    displayName: app.displayName,
    signInAudience: app.signInAudience,
    createdDateTime: app.createdDateTime,
    keyCredentials: [],
    passwordCredentials: app.passwordCredentials.map(passwordView),
  };
}

type Access = "read" | "write";

/**
 * Graph's application permissions: .All reaches every app; OwnedBy only apps the caller owns (anything
 * else is denied, as if it were not there for writing). No permission at all is denied before lookup.
 */
function authorize(directory: EntraDirectory, identity: Identity | undefined, app: EntraApplication | undefined, access: Access): CloudResponse | undefined {
  const principal = identity?.oid ?? "";
  const granted = new Set(directory.permissionsOf(principal));
  if (granted.size === 0) return denied();
  if (!app) return undefined;
  if (granted.has("Application.ReadWrite.All")) return undefined;
  if (access === "read" && granted.has("Application.Read.All")) return undefined;
  if (granted.has("Application.ReadWrite.OwnedBy") && app.owners.some((o) => o.toLowerCase() === principal.toLowerCase())) return undefined;
  return denied();
}

function resolve(directory: EntraDirectory, request: CloudRequest): { app?: EntraApplication; ref: string } | undefined {
  if (request.params.id !== undefined) return { ref: request.params.id, ...withApp(directory.byObjectId(request.params.id)) };
  const appId = appIdOf(request.params.ref ?? "");
  if (appId === undefined) return undefined;
  return { ref: appId, ...withApp(directory.byAppId(appId)) };
}

function withApp(app: EntraApplication | undefined): { app?: EntraApplication } {
  return app ? { app } : {};
}

function object(body: unknown): Record<string, unknown> | undefined {
  return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

export function graphRoutes(directory: EntraDirectory): CloudRoute[] {
  const unknownSegment = (request: CloudRequest) => graphError(400, "BadRequest", `Resource not found for the segment '${request.params.ref ?? ""}'.`);

  const get = (request: CloudRequest): CloudResponse => {
    const target = resolve(directory, request);
    if (!target) return unknownSegment(request);
    const refusal = authorize(directory, request.identity, target.app, "read");
    if (refusal) return refusal;
    if (!target.app) return notFound(target.ref);
    return { body: applicationView(target.app, request.baseUrl) };
  };

  const addPassword = (request: CloudRequest): CloudResponse => {
    const target = resolve(directory, request);
    if (!target) return unknownSegment(request);
    const refusal = authorize(directory, request.identity, target.app, "write");
    if (refusal) return refusal;
    if (!target.app) return notFound(target.ref);
    const input = object(object(request.body)?.passwordCredential) ?? {};
    const fields: NewPassword = {};
    for (const key of ["displayName", "startDateTime", "endDateTime"] as const) {
      const value = input[key];
      if (typeof value === "string") fields[key] = value;
    }
    try {
      const added = directory.addPassword(target.app, fields);
      return { body: { "@odata.context": `${request.baseUrl}/v1.0/$metadata#microsoft.graph.passwordCredential`, ...added } };
    } catch (error) {
      if (error instanceof PasswordRefused) return graphError(400, error.code, error.message, error.details);
      throw error;
    }
  };

  const removePassword = (request: CloudRequest): CloudResponse => {
    const target = resolve(directory, request);
    if (!target) return unknownSegment(request);
    const refusal = authorize(directory, request.identity, target.app, "write");
    if (refusal) return refusal;
    if (!target.app) return notFound(target.ref);
    const keyId = object(request.body)?.keyId;
    if (typeof keyId !== "string") return graphError(400, "Request_BadRequest", "The request body must hold keyId, the password's key id.");
    // Assumption of this fake: Graph's answer for an unknown keyId is not documented; 400 like other bad input.
    if (!directory.removePassword(target.app, keyId)) return graphError(400, "Request_BadRequest", `No password credential found with keyId '${keyId}'.`);
    return { status: 204 };
  };

  return [
    { api: "graph", method: "GET", path: "/v1.0/applications/{id}", handle: get },
    { api: "graph", method: "GET", path: "/v1.0/{ref}", handle: get },
    { api: "graph", method: "POST", path: "/v1.0/applications/{id}/addPassword", handle: addPassword },
    { api: "graph", method: "POST", path: "/v1.0/{ref}/addPassword", handle: addPassword },
    { api: "graph", method: "POST", path: "/v1.0/applications/{id}/removePassword", handle: removePassword },
    { api: "graph", method: "POST", path: "/v1.0/{ref}/removePassword", handle: removePassword },
  ];
}
