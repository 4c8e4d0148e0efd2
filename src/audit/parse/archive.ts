/**
 * @module AuditEvent records as diagnostic settings archive them (storage `PT1H.json`, Event Hubs, files)
 * → the normalised record. A fast hand-written path reads the fields; when it rejects a record, the
 * AuditEvent zod schema says precisely why.
 */
import { z } from "zod";
import { auditEvent } from "../auditEvent.js";
import type { AuditRecord } from "../record.js";
import { finishRecord, isObject, policyObjectIds, principalFromClaims, RecordError, vaultConfigFrom } from "./fields.js";

/**
 * Normalises one archived AuditEvent.
 * @param value - a parsed JSON value
 * @throws RecordError naming what is wrong
 */
export function fromAuditEvent(value: unknown): AuditRecord {
  if (!isObject(value)) throw new RecordError(`expected an AuditEvent object, got ${Array.isArray(value) ? "an array" : typeof value}`);
  const properties = isObject(value.properties) ? value.properties : undefined;
  if (!properties) throw new RecordError(explain(value) ?? "properties must be an object");
  const identity = isObject(value.identity) ? value.identity : undefined;
  const claims = identity && isObject(identity.claim) ? identity.claim : undefined;
  try {
    return finishRecord({
      time: value.time,
      resourceId: value.resourceId,
      operation: value.operationName,
      status: properties.httpStatusCode,
      resultSignature: value.resultSignature,
      principal: principalFromClaims(claims),
      ip: value.callerIpAddress,
      client: properties.clientInfo,
      id: properties.id,
      requestUri: properties.requestUri,
      correlationId: value.correlationId,
      durationMs: value.durationMs,
      policyAdded: policyObjectIds(properties.addedAccessPolicy),
      policyRemoved: policyObjectIds(properties.removedAccessPolicy),
      vaultConfig: vaultConfigFrom(properties.properties),
    });
  } catch (error) {
    if (error instanceof RecordError) throw new RecordError(explain(value) ?? error.message);
    throw error;
  }
}

/** The schema's account of what is wrong, on one line, or undefined if the schema accepts the record. */
function explain(value: unknown): string | undefined {
  const result = auditEvent.safeParse(value);
  return result.success ? undefined : z.prettifyError(result.error).replace(/\s*\n\s*/g, " ");
}
