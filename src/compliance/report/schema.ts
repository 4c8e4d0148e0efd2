/**
 * @module The JSON report's schema, versioned: `schema` names the document and `schemaVersion` changes only
 * when a field is removed or changes meaning (added fields keep the version). Snapshots are these documents,
 * so a later report reads earlier ones with the same schema. `reportJsonSchema()` is the same schema as a
 * JSON Schema document for consumers outside TypeScript.
 */
import { z } from "zod";

export const REPORT_SCHEMA_ID = "kvguard-compliance-report";
export const REPORT_SCHEMA_VERSION = 1;

const isoTime = z.iso.datetime({ offset: true });
const framework = z.enum(["azure-policy", "cis", "mcsb", "pci", "nist-800-57", "iso-27001"]);
const outcome = z.enum(["pass", "fail", "not-applicable", "error"]);
const scope = z.enum(["vault", "key", "secret", "certificate"]);
const count = z.number().int().nonnegative();

export const totalsSchema = z.strictObject({ pass: count, fail: count, "not-applicable": count, error: count, total: count });

export const controlRefSchema = z.strictObject({
  framework,
  control: z.string().min(1),
  version: z.string().optional(),
  title: z.string().optional(),
});

export const checkSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string(),
  scope,
  rationale: z.string(),
  remediation: z.string(),
  severity: z.enum(["high", "medium", "low"]),
  controls: z.array(controlRefSchema),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
});

export const resultSchema = z.strictObject({
  checkId: z.string().min(1),
  vault: z.string(),
  objectId: z.string(),
  objectName: z.string(),
  objectType: scope,
  outcome,
  reason: z.string(),
  evidence: z.record(z.string(), z.unknown()),
});

export const inventorySchema = z.strictObject({
  vault: z.string(),
  type: z.enum(["key", "secret", "certificate"]),
  name: z.string(),
  id: z.string(),
  enabled: z.boolean(),
  created: isoTime.optional(),
  updated: isoTime.optional(),
  notBefore: isoTime.optional(),
  expiresOn: isoTime.optional(),
  contentType: z.string().optional(),
  keyType: z.string().optional(),
  keySize: z.number().int().positive().optional(),
  curve: z.string().optional(),
  latestVersionCreated: isoTime.optional(),
  versions: count.optional(),
  deleted: z.strictObject({ deletedOn: isoTime.optional(), scheduledPurgeDate: isoTime.optional() }).optional(),
  managed: z.boolean().optional(),
  certificate: z
    .strictObject({
      subject: z.string().optional(),
      sans: z.array(z.string()),
      issuedBy: z.string().optional(),
      issuerName: z.string().optional(),
      issuerProvider: z.string().optional(),
      validityMonths: count.optional(),
      exportable: z.boolean().optional(),
      lifetimeActions: z.array(z.strictObject({ action: z.string(), daysBeforeExpiry: count.optional(), lifetimePercentage: count.optional() })),
      renewsItself: z.boolean(),
      thumbprint: z.string().optional(),
    })
    .optional(),
  tags: z.record(z.string(), z.string()),
  consumers: z.strictObject({ consumers: count.optional(), onOldVersion: count.optional(), at: isoTime, source: z.enum(["audit", "failed"]) }).optional(),
});

export const vaultSchema = z.strictObject({
  name: z.string(),
  url: z.string(),
  resourceId: z.string().optional(),
  location: z.string().optional(),
  softDeleteEnabled: z.boolean().optional(),
  softDeleteRetentionDays: count.optional(),
  purgeProtectionEnabled: z.boolean().optional(),
  rbacAuthorization: z.boolean().optional(),
  publicNetworkAccess: z.string().optional(),
  firewallDefaultAction: z.string().optional(),
  privateEndpoints: count.optional(),
  auditDiagnostics: z.array(z.strictObject({ name: z.string(), workspace: z.string().optional(), storageAccount: z.string().optional() })).optional(),
  access: z.array(z.strictObject({ principalId: z.string(), principalType: z.string().optional(), role: z.string(), scope: z.string() })).optional(),
  error: z.string().optional(),
});

const controlSummarySchema = z.strictObject({
  framework,
  control: z.string(),
  version: z.string().optional(),
  title: z.string().optional(),
  checks: z.array(z.string()),
  totals: totalsSchema,
  status: outcome,
});

export const summarySchema = z.strictObject({
  totals: totalsSchema,
  byFramework: z.array(z.strictObject({ framework, label: z.string(), totals: totalsSchema, controls: z.array(controlSummarySchema) })),
  byVault: z.array(z.strictObject({ vault: z.string(), objects: count, totals: totalsSchema, error: z.string().optional() })),
  byCheck: z.array(z.strictObject({ checkId: z.string(), title: z.string(), severity: z.enum(["high", "medium", "low"]), totals: totalsSchema })),
  expiry: z.array(z.strictObject({ label: z.string(), count })),
  rotation: z.array(
    z.strictObject({
      vault: z.string(),
      type: z.enum(["secret", "key"]),
      name: z.string(),
      objectId: z.string(),
      versions: count.optional(),
      latestVersionCreated: isoTime.optional(),
      ageDays: z.number().int().optional(),
      results: z.array(z.strictObject({ checkId: z.string(), outcome, reason: z.string(), evidence: z.record(z.string(), z.unknown()) })),
    }),
  ),
});

const resultRefSchema = z.strictObject({
  checkId: z.string(),
  vault: z.string(),
  objectType: scope,
  objectName: z.string(),
  objectId: z.string(),
  reason: z.string(),
});

export const changesSchema = z.strictObject({
  /** The snapshot compared with, or null when this is the first. */
  previous: isoTime.nullable(),
  newFailures: z.array(resultRefSchema),
  fixed: z.array(resultRefSchema),
  /** Failing before and now. */
  stillFailing: count,
  /** Failing before, and now out of the run (object deleted, vault or framework out of scope). */
  gone: count,
  /** Oldest first, this run last. */
  trend: z.array(z.strictObject({ generatedAt: isoTime, totals: totalsSchema, passRate: z.number().nullable() })),
  /** Snapshots that could not be read, and why: they are left out, never fatal. */
  unreadable: z.array(z.strictObject({ name: z.string(), problem: z.string() })),
});

/** Objects nobody read in `days` days, per vault, from the audit scan's baseline; "unknown" where the audit data is shorter. */
export const unusedSchema = z.strictObject({
  days: count,
  note: z.string().optional(),
  vaults: z.array(
    z.strictObject({
      vault: z.string(),
      coverage: z.strictObject({ since: isoTime, until: isoTime, days: count }).nullable(),
      status: z.enum(["judged", "unknown"]),
      text: z.string(),
      objects: z.array(z.strictObject({ type: z.enum(["secret", "key", "certificate"]), name: z.string(), lastReadAt: isoTime.nullable(), idleDays: count })),
    }),
  ),
});

export const reportDocumentSchema = z.strictObject({
  schema: z.literal(REPORT_SCHEMA_ID),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  generatedAt: isoTime,
  generator: z.string(),
  scope: z.strictObject({ frameworks: z.array(framework), vaults: z.array(z.string()) }),
  summary: summarySchema,
  changes: changesSchema.nullable(),
  checks: z.array(checkSchema),
  vaults: z.array(vaultSchema),
  inventory: z.array(inventorySchema),
  results: z.array(resultSchema),
  errors: z.array(z.strictObject({ vault: z.string(), message: z.string() })),
  /** Added after version 1's first reports, so optional: earlier snapshots have none. */
  unused: unusedSchema.optional(),
});

export type ReportDocument = z.infer<typeof reportDocumentSchema>;
export type ReportChanges = z.infer<typeof changesSchema>;
export type ResultRef = z.infer<typeof resultRefSchema>;

/** The report's JSON Schema (draft 2020-12), generated from the zod schema. */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    $id: `urn:kvguard:${REPORT_SCHEMA_ID}:${REPORT_SCHEMA_VERSION}`,
    title: "kvguard compliance report",
    ...z.toJSONSchema(reportDocumentSchema, { io: "input", unrepresentable: "any" }),
  };
}
