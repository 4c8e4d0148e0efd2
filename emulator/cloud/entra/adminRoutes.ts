/**
 * @module The local Entra's own admin API (no token, like the local Key Vault's `/management/`), for tests
 * and the demo: create and change applications (owners, password limit, app-management lifetime policy,
 * propagation delay), seed a client secret as the portal would, and grant principals Graph application
 * permissions (as an admin consents to them).
 */
import { CloudError, type CloudRequest, type CloudResponse, type CloudRoute } from "../host.js";
import { GRAPH_PERMISSIONS, PasswordRefused, type EntraApplication, type EntraDirectory, type GraphPermission, type NewApplication } from "./directory.js";
import { applicationView } from "./graphRoutes.js";

function object(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new CloudError(400, "BadRequest", `the body must be a JSON object (${what})`);
  return body as Record<string, unknown>;
}

function optional<T>(body: Record<string, unknown>, key: string, type: "string" | "number", test?: (v: T) => boolean): T | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== type || (test && !test(value as T))) throw new CloudError(400, "BadRequest", `${key} is not a valid ${type}`);
  return value as T;
}

function strings(body: Record<string, unknown>, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new CloudError(400, "BadRequest", `${key} must be a list of strings`);
  return value as string[];
}

const positive = (n: number) => Number.isInteger(n) && n > 0;
const nonNegative = (n: number) => Number.isFinite(n) && n >= 0;

function settings(body: Record<string, unknown>) {
  const owners = strings(body, "owners");
  const maxPasswords = optional<number>(body, "maxPasswords", "number", positive);
  const maxPasswordLifetimeDays = optional<number>(body, "maxPasswordLifetimeDays", "number", positive);
  const propagationSeconds = optional<number>(body, "propagationSeconds", "number", nonNegative);
  const signInAudience = optional<string>(body, "signInAudience", "string");
  return {
    ...(owners ? { owners } : {}),
    ...(maxPasswords !== undefined ? { maxPasswords } : {}),
    ...(maxPasswordLifetimeDays !== undefined ? { maxPasswordLifetimeDays } : {}),
    ...(propagationSeconds !== undefined ? { propagationSeconds } : {}),
    ...(signInAudience !== undefined ? { signInAudience } : {}),
  };
}

/** The app as Graph shows it, plus the fake's own settings. */
function adminView(directory: EntraDirectory, app: EntraApplication, baseUrl: string) {
  const { "@odata.context": _context, ...view } = applicationView(app, baseUrl);
  return {
    ...view,
    servicePrincipalId: app.servicePrincipalId,
    owners: app.owners,
    maxPasswords: directory.maxPasswords(app) ?? null,
    maxPasswordLifetimeDays: app.maxPasswordLifetimeDays ?? null,
    propagationSeconds: app.propagationSeconds ?? 0,
  };
}

export function adminRoutes(directory: EntraDirectory): CloudRoute[] {
  const app = (request: CloudRequest): EntraApplication => {
    const found = directory.find(request.params.id!);
    if (!found) throw new CloudError(404, "NotFound", `no application with id or appId ${request.params.id}`);
    return found;
  };
  const route = (method: CloudRoute["method"], path: string, handle: (request: CloudRequest) => CloudResponse): CloudRoute => ({
    api: "login",
    method,
    path: `/management/entra${path}`,
    handle,
  });
  return [
    route("GET", "/applications", (request) => ({ body: directory.applications().map((a) => adminView(directory, a, request.baseUrl)) })),
    route("POST", "/applications", (request) => {
      const body = object(request.body, "an application");
      const displayName = optional<string>(body, "displayName", "string", (s) => s.length > 0);
      if (displayName === undefined) throw new CloudError(400, "BadRequest", "displayName is required");
      const id = optional<string>(body, "id", "string");
      const appId = optional<string>(body, "appId", "string");
      const input: NewApplication = { displayName, ...(id ? { id } : {}), ...(appId ? { appId } : {}), ...settings(body) };
      try {
        return { status: 201, body: adminView(directory, directory.createApplication(input), request.baseUrl) };
      } catch (error) {
        throw new CloudError(400, "BadRequest", (error as Error).message);
      }
    }),
    route("GET", "/applications/{id}", (request) => ({ body: adminView(directory, app(request), request.baseUrl) })),
    route("PATCH", "/applications/{id}", (request) => {
      const target = app(request);
      directory.updateApplication(target, settings(object(request.body, "application settings")));
      return { body: adminView(directory, target, request.baseUrl) };
    }),
    route("DELETE", "/applications/{id}", (request) => {
      directory.deleteApplication(app(request));
      return { status: 204 };
    }),
    route("POST", "/applications/{id}/passwords", (request) => {
      const body = request.body === undefined ? {} : object(request.body, "a password");
      const displayName = optional<string>(body, "displayName", "string");
      const startDateTime = optional<string>(body, "startDateTime", "string");
      const endDateTime = optional<string>(body, "endDateTime", "string");
      try {
        return {
          status: 201,
          body: directory.addPassword(app(request), {
            ...(displayName !== undefined ? { displayName } : {}),
            ...(startDateTime !== undefined ? { startDateTime } : {}),
            ...(endDateTime !== undefined ? { endDateTime } : {}),
          }),
        };
      } catch (error) {
        if (error instanceof PasswordRefused) throw new CloudError(400, error.code, error.message);
        throw error;
      }
    }),
    route("GET", "/permissions", () => ({ body: directory.allPermissions() })),
    route("PUT", "/permissions/{principalId}", (request) => {
      const permissions = strings(object(request.body, "permissions"), "permissions") ?? [];
      const unknown = permissions.filter((p) => !(GRAPH_PERMISSIONS as readonly string[]).includes(p));
      if (unknown.length > 0) throw new CloudError(400, "BadRequest", `unknown permission ${unknown.join(", ")} (known: ${GRAPH_PERMISSIONS.join(", ")})`);
      directory.setPermissions(request.params.principalId!, permissions as GraphPermission[]);
      return { body: { principalId: request.params.principalId, permissions } };
    }),
  ];
}
