/**
 * @module One AuditEvent record per request, in the diagnostic-settings format Azure writes to a storage
 * archive. It names objects by id and never carries a secret value or key material.
 */

export interface AuditRecord {
  time: string;
  category: "AuditEvent";
  operationName: string;
  operationVersion: string;
  resultType: "Success";
  resultSignature: string;
  resultDescription?: string;
  durationMs: string;
  callerIpAddress: string;
  correlationId: string;
  identity: { claim?: Record<string, string> };
  properties: {
    id?: string;
    requestUri: string;
    httpStatusCode: number;
    clientInfo: string;
    isRbacAuthorized?: boolean;
    tlsVersion?: string;
    /** VaultGet/VaultPut/VaultPatch: the vault's properties after the request. */
    properties?: Record<string, unknown>;
    addedAccessPolicy?: unknown[];
    removedAccessPolicy?: unknown[];
  };
  resourceId: string;
}

export interface AuditInput {
  timeMs: number;
  resourceId: string;
  operationName: string;
  apiVersion: string;
  status: number;
  durationMs: number;
  callerIp: string;
  correlationId: string;
  claims?: Record<string, string>;
  objectId?: string;
  requestUri: string;
  clientInfo: string;
  isRbacAuthorized?: boolean;
  tlsVersion?: string;
  errorMessage?: string;
  /** Management operations: the vault's ARM properties and the access-policy entries added or removed. */
  vaultProperties?: Record<string, unknown>;
  addedAccessPolicy?: unknown[];
  removedAccessPolicy?: unknown[];
}

const SIGNATURES: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "NoContent",
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  413: "RequestEntityTooLarge",
  429: "TooManyRequests",
  500: "InternalServerError",
};

// The 401 challenge carries no token, so Azure logs it with an all-zero correlation id when none was sent.
const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

export function buildAuditRecord(input: AuditInput): AuditRecord {
  return {
    time: new Date(input.timeMs).toISOString(),
    category: "AuditEvent",
    operationName: input.operationName,
    operationVersion: input.apiVersion,
    // Azure writes Success whatever the status; the outcome is in httpStatusCode and resultSignature.
    resultType: "Success",
    resultSignature: SIGNATURES[input.status] ?? String(input.status),
    ...(input.errorMessage ? { resultDescription: input.errorMessage } : {}),
    durationMs: String(Math.max(0, Math.round(input.durationMs))),
    callerIpAddress: input.callerIp,
    correlationId: input.correlationId || ZERO_UUID,
    identity: input.claims ? { claim: input.claims } : {},
    properties: {
      ...(input.objectId ? { id: input.objectId } : {}),
      requestUri: input.requestUri,
      httpStatusCode: input.status,
      clientInfo: input.clientInfo,
      ...(input.isRbacAuthorized === undefined ? {} : { isRbacAuthorized: input.isRbacAuthorized }),
      ...(input.tlsVersion ? { tlsVersion: input.tlsVersion } : {}),
      ...(input.vaultProperties ? { properties: input.vaultProperties } : {}),
      ...(input.addedAccessPolicy?.length ? { addedAccessPolicy: input.addedAccessPolicy } : {}),
      ...(input.removedAccessPolicy?.length ? { removedAccessPolicy: input.removedAccessPolicy } : {}),
    },
    resourceId: input.resourceId.toUpperCase(),
  };
}
