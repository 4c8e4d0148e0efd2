/**
 * @module What every ARM provider of the local cloud checks before it serves a resource: the api-version,
 * the subscription and resource group (the local stack has one of each), the caller's management access;
 * and ARM's error bodies for a missing resource, a refused caller and an invalid request body.
 */
import type { z } from "zod";
import type { Identity } from "../auth/identity.js";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../localKeyVault.js";
import { CloudError, type CloudRequest, type CloudRoute } from "./host.js";

/** Who may use a resource's management plane: Reader reads, Contributor also writes. */
export interface ManagementAccess {
  principalId: string;
  role: "Reader" | "Contributor";
}

export function requireApiVersion(request: CloudRequest): void {
  if (!request.query.get("api-version")) {
    throw new CloudError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
}

/** The api-version check, then the subscription and resource group the path names (when it names one). */
export function checkScope(request: CloudRequest): void {
  requireApiVersion(request);
  const { subscriptionId, resourceGroup } = request.params;
  if (subscriptionId !== undefined && subscriptionId.toLowerCase() !== LOCAL_SUBSCRIPTION_ID) {
    throw new CloudError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
  }
  if (resourceGroup !== undefined && resourceGroup.toLowerCase() !== LOCAL_RESOURCE_GROUP) {
    throw new CloudError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`);
  }
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): CloudError {
  return new CloudError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function authorizationFailed(identity: Identity | undefined, action: string, scope: string): CloudError {
  const oid = identity?.oid ?? "unknown";
  return new CloudError(
    403,
    "AuthorizationFailed",
    `The client '${oid}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** Without entries every caller is admitted (the local stack's open default). */
export function canManage(entries: readonly ManagementAccess[] | undefined, identity: Identity | undefined, write: boolean): boolean {
  if (!entries?.length) return true;
  return entries.some((e) => e.principalId === identity?.oid && (!write || e.role === "Contributor"));
}

/** Throws ARM's 403 unless the caller may read (or write) the resource. */
export function requireManagement(entries: readonly ManagementAccess[] | undefined, request: CloudRequest, action: string, scope: string): void {
  if (!canManage(entries, request.identity, !action.endsWith("/read"))) throw authorizationFailed(request.identity, action, scope);
}

/** Parses a body or answers ARM's 400 with the first problem. */
export function parseArmBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new CloudError(400, "BadRequest", `The request body is invalid at '${issue.path.join(".") || "body"}': ${issue.message}.`);
}

/** A parsed body without the keys it left out, so they do not overwrite what a resource has. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A route of ARM (Bearer token for ARM's audience). */
export function armRoute(method: CloudRoute["method"], path: string, handle: CloudRoute["handle"]): CloudRoute {
  return { api: "arm", method, path, handle };
}

/** A maker of admin routes under `/management/<area>` (no token, like the local Key Vault's `/management/`). */
export function adminRoutesUnder(area: string): (method: CloudRoute["method"], path: string, handle: CloudRoute["handle"]) => CloudRoute {
  return (method, path, handle) => ({ api: "login", method, path: `/management/${area}${path}`, handle });
}
