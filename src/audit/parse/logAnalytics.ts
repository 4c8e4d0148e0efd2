/**
 * @module Log Analytics rows → the normalised record: the legacy `AzureDiagnostics` table (flattened,
 * type-suffixed columns such as `httpStatusCode_d`, `identity_claim_oid_g`) and the resource-specific
 * `AZKVAuditLogs` table (typed columns, `Identity` dynamic). Numbers, booleans and dynamic values may
 * arrive as strings.
 */
import type { AuditRecord, Principal } from "../record.js";
import { bool, finishRecord, isObject, num, policyObjectIds, principalFromClaims, str, VAULT_CONFIG_FIELDS, type VaultConfig } from "./fields.js";

export type Row = Record<string, unknown>;

/** Rows of a query table as objects keyed by column name. */
export function rowsAsObjects(columns: readonly { name?: string }[], rows: readonly unknown[][]): Row[] {
  const names = columns.map((c, i) => c.name ?? `column${i}`);
  return rows.map((row) => {
    const object: Row = {};
    for (let i = 0; i < names.length; i++) object[names[i]!] = row[i];
    return object;
  });
}

// AzureDiagnostics flattens `identity.claim.<name>` to `identity_claim_<name with non-alphanumerics as _>_<type>`.
const DIAGNOSTIC_CLAIM = /^identity_claim_(.+)_[sgdb]$/;

function diagnosticsClaims(row: Row): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const match = DIAGNOSTIC_CLAIM.exec(column);
    if (!match || value === null || value === undefined || value === "") continue;
    const name = match[1]!;
    // The URL claims arrive mangled (`http_schemas_microsoft_com_identity_claims_objectidentifier`).
    if (name.endsWith("objectidentifier")) claims.oid ??= value;
    else if (name.endsWith("claims_upn") || name === "upn") claims.upn ??= value;
    else claims[name] = value;
  }
  return claims;
}

function diagnosticsVaultConfig(row: Row): VaultConfig | undefined {
  const config: VaultConfig = {};
  for (const field of VAULT_CONFIG_FIELDS) {
    const base = field === "networkDefaultAction" ? "properties_networkAcls_defaultAction" : `properties_${field}`;
    for (const suffix of ["_b", "_d", "_s"]) {
      const raw = row[base + suffix];
      if (raw === undefined || raw === null || raw === "") continue;
      const value = suffix === "_b" ? bool(raw) : suffix === "_d" ? num(raw) : str(raw);
      if (value !== undefined) config[field] = value;
    }
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

/** One `AzureDiagnostics` row (Category AuditEvent). */
export function fromAzureDiagnosticsRow(row: Row): AuditRecord {
  return finishRecord({
    time: row.TimeGenerated,
    resourceId: row.ResourceId ?? row._ResourceId,
    operation: row.OperationName,
    status: row.httpStatusCode_d,
    resultSignature: row.ResultSignature,
    principal: principalFromClaims(diagnosticsClaims(row)),
    ip: row.CallerIPAddress,
    client: row.clientInfo_s,
    id: row.id_s,
    requestUri: row.requestUri_s,
    correlationId: row.CorrelationId,
    durationMs: row.DurationMs,
    policyAdded: policyObjectIds(row.addedAccessPolicy_ObjectId_g),
    policyRemoved: policyObjectIds(row.removedAccessPolicy_ObjectId_g),
    vaultConfig: diagnosticsVaultConfig(row),
  });
}

function dynamic(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

const AZKV_CONFIG: Record<string, (typeof VAULT_CONFIG_FIELDS)[number]> = {
  EnableSoftDelete: "enableSoftDelete",
  EnablePurgeProtection: "enablePurgeProtection",
  EnableRbacAuthorization: "enableRbacAuthorization",
  SoftDeleteRetentionInDays: "softDeleteRetentionInDays",
  EnabledForDeployment: "enabledForDeployment",
  EnabledForTemplateDeployment: "enabledForTemplateDeployment",
  EnabledForDiskEncryption: "enabledForDiskEncryption",
};

/** One `AZKVAuditLogs` row. */
export function fromAzkvAuditLogsRow(row: Row): AuditRecord {
  const identity = dynamic(row.Identity);
  const claims = isObject(identity) ? (isObject(identity.claim) ? identity.claim : identity) : undefined;
  const properties = dynamic(row.Properties);
  const props = isObject(properties) ? properties : {};
  const config: VaultConfig = {};
  for (const [column, field] of Object.entries(AZKV_CONFIG)) {
    const raw = row[column];
    if (raw === undefined || raw === null || raw === "") continue;
    const value = field === "softDeleteRetentionInDays" ? num(raw) : bool(raw);
    if (value !== undefined) config[field] = value;
  }
  const principal: Principal = principalFromClaims(claims);
  return finishRecord({
    time: row.TimeGenerated,
    resourceId: row._ResourceId ?? row.ResourceId,
    operation: row.OperationName,
    status: row.HttpStatusCode,
    resultSignature: row.ResultSignature,
    principal,
    ip: row.CallerIpAddress,
    client: row.ClientInfo ?? props.clientInfo,
    id: row.Id ?? props.id,
    requestUri: row.RequestUri ?? props.requestUri,
    correlationId: row.CorrelationId,
    durationMs: row.DurationMs,
    policyAdded: policyObjectIds(props.addedAccessPolicy),
    policyRemoved: policyObjectIds(props.removedAccessPolicy),
    vaultConfig: Object.keys(config).length > 0 ? config : undefined,
  });
}
