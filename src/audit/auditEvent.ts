/**
 * @module Key Vault `AuditEvent` records as diagnostic settings write them to a storage archive
 * (`insights-logs-auditevent`, one JSON record a line in `PT1H.json`; Event Hubs and old blobs wrap them as
 * `{"records":[...]}`). Lenient where Azure varies (old claim URLs, redacted IPs, empty correlation ids,
 * fields added later), strict on what the audit pipeline relies on.
 */
import { z } from "zod";

/** Claim values are strings; a few multi-valued claims (`amr`, `groups`) may come as arrays. */
const claimValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())], {
  error: "identity.claim values must be strings (or arrays of strings)",
});

/**
 * `{}` for a token-less request (the 401 challenge); otherwise `claim` holds the token's claims, by short
 * name (`oid`, `appid`, `upn`, `tid`, `idtyp`) in current records or by claim URL in old ones
 * (`http://schemas.microsoft.com/identity/claims/objectidentifier`).
 */
export const auditIdentity = z.looseObject({
  claim: z.record(z.string(), claimValue, { error: "identity.claim must be an object of claims" }).optional(),
});

export const auditProperties = z.looseObject({
  /** The object the request touched (`https://vault/secrets/name/version`) or the vault. */
  id: z.string().optional(),
  requestUri: z.string({ error: "properties.requestUri is required and must be a string" }),
  httpStatusCode: z.number({ error: "properties.httpStatusCode must be a number (not a string)" }).int().min(100).max(599),
  clientInfo: z.string().optional(),
  isAccessPolicyMatch: z.boolean().optional(),
  isRbacAuthorized: z.boolean().optional(),
  tlsVersion: z.string().optional(),
  keyProperties: z.looseObject({}).optional(),
});

const RESOURCE_ID = "resourceId must be a Key Vault ARM id (/SUBSCRIPTIONS/.../VAULTS/NAME)";
const DURATION = "durationMs must be a string of digits (Azure quotes it)";
const ARM_VAULT_ID = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.keyvault\/(vaults|managedhsms)\/[^/]+$/i;

export const auditEvent = z.looseObject({
  time: z.iso.datetime({ error: "time must be an ISO 8601 UTC timestamp" }),
  resourceId: z.string({ error: RESOURCE_ID }).regex(ARM_VAULT_ID, RESOURCE_ID),
  operationName: z.string({ error: "operationName must be a non-empty string" }).min(1, "operationName must be a non-empty string"),
  operationVersion: z.string({ error: "operationVersion must be a string" }),
  category: z.literal("AuditEvent", { error: 'category must be "AuditEvent"' }),
  /** "Success" even for 403/404: the outcome is in `resultSignature` and `properties.httpStatusCode`. */
  resultType: z.string({ error: "resultType must be a string" }),
  resultSignature: z.string({ error: "resultSignature must be a string" }),
  resultDescription: z.string().optional(),
  durationMs: z.string({ error: DURATION }).regex(/^\d+$/, DURATION),
  /** An IP, or `<Redacted>` in shared captures. */
  callerIpAddress: z.string({ error: "callerIpAddress must be a string" }),
  /** The client's `x-ms-client-request-id`; all zeros or empty when there was none. */
  correlationId: z.string({ error: "correlationId must be a string" }),
  identity: auditIdentity,
  properties: auditProperties,
});

export type AuditEvent = z.infer<typeof auditEvent>;

/** The Event Hubs / legacy blob form: `{"records":[...]}`. */
export const auditEventBatch = z.object({ records: z.array(auditEvent) });

/** Parses one record, throwing an Error that names every problem and where it is. */
export function parseAuditEvent(value: unknown): AuditEvent {
  const result = auditEvent.safeParse(value);
  if (!result.success) throw new Error(`not a Key Vault AuditEvent record:\n${z.prettifyError(result.error)}`);
  return result.data;
}
