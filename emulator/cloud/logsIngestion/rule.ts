/**
 * @module Data collection endpoints and rules as Azure Monitor defines them for the Logs Ingestion API
 * (`Microsoft.Insights/dataCollectionEndpoints` and `dataCollectionRules`, api-version 2022-06-01 and later):
 * a rule's custom stream declarations with their typed columns, its Log Analytics destinations and data flows
 * to `Custom-<Table>_CL` output streams, checked as Azure checks them, answering its
 * `InvalidPayload` "Data collection rule is invalid" body with one detail per problem.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { LOCAL_RESOURCE_GROUP, LOCAL_SUBSCRIPTION_ID } from "../../localKeyVault.js";
import type { ManagementAccess } from "../armScope.js";
import { CloudError } from "../host.js";

export const COLUMN_TYPES = ["string", "int", "long", "real", "boolean", "datetime", "dynamic"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface Column {
  name: string;
  type: ColumnType;
}

export interface DataFlow {
  streams: string[];
  destinations: string[];
  transformKql?: string;
  outputStream?: string;
}

export interface RuleProperties {
  description?: string;
  dataCollectionEndpointId?: string;
  streamDeclarations: Record<string, { columns: Column[] }>;
  destinations: { logAnalytics: { workspaceResourceId: string; name: string }[] };
  dataFlows: DataFlow[];
}

export interface DataCollectionEndpoint {
  name: string;
  location: string;
  tags: Record<string, string>;
  immutableId: string;
  managementAccess?: ManagementAccess[];
}

/** How records that do not fit the declared columns are treated: refused (400), or dropped as Azure does (204, logged as a DCR error). */
export type RecordValidation = "strict" | "azure";

export interface DataCollectionRule {
  name: string;
  location: string;
  tags: Record<string, string>;
  immutableId: string;
  properties: RuleProperties;
  /** Object ids holding Monitoring Metrics Publisher on the rule; empty: every Entra caller may ingest (the local stack's open default). */
  publishers: string[];
  validation: RecordValidation;
  managementAccess?: ManagementAccess[];
}

const PROVIDER = `/subscriptions/${LOCAL_SUBSCRIPTION_ID}/resourceGroups/${LOCAL_RESOURCE_GROUP}/providers/Microsoft.Insights`;

export function endpointId(name: string): string {
  return `${PROVIDER}/dataCollectionEndpoints/${name}`;
}

export function ruleId(name: string): string {
  return `${PROVIDER}/dataCollectionRules/${name}`;
}

/** `dce-` or `dcr-` and 32 hexadecimal characters, as Azure forms immutable ids. */
export function newImmutableId(prefix: "dce" | "dcr"): string {
  return `${prefix}-${randomBytes(16).toString("hex")}`;
}

/** Where the Logs Ingestion API of an endpoint is served on the local cloud (Azure gives each its own host). */
export function ingestionEndpoint(cloudUrl: string, name: string): string {
  return `${cloudUrl}/dce/${name}`;
}

/** The table a data flow writes: `Custom-Audit_CL` → `Audit_CL`, `Microsoft-Syslog` → `Syslog`. */
export function tableOf(outputStream: string): string {
  return outputStream.replace(/^(Custom|Microsoft)-/, "");
}

const columnBody = z.object({ name: z.string(), type: z.string() });

export const rulePropertiesBody = z.object({
  description: z.string().optional(),
  dataCollectionEndpointId: z.string().optional(),
  streamDeclarations: z.record(z.string(), z.object({ columns: z.array(columnBody) })).optional(),
  destinations: z
    .object({ logAnalytics: z.array(z.object({ workspaceResourceId: z.string(), name: z.string() })).optional() })
    .passthrough()
    .optional(),
  dataFlows: z
    .array(
      z.object({ streams: z.array(z.string()), destinations: z.array(z.string()), transformKql: z.string().optional(), outputStream: z.string().optional() }),
    )
    .optional(),
});

export const rulePutBody = z.object({
  location: z.string().min(1),
  kind: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  properties: rulePropertiesBody,
});

export const endpointPutBody = z.object({
  location: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.object({}).passthrough().optional(),
});

/** Log Analytics' column name rule and its reserved names. */
const COLUMN_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,44}$/;
const RESERVED_COLUMNS = new Set(["type", "tenantid", "resource", "resourceid", "resourcename", "resourcetype", "subscriptionid", "tenanted"]);

interface Detail {
  code: string;
  message: string;
  target: string;
}

/** Azure's body for an invalid rule: one detail per problem. */
function invalidRule(details: Detail[]): CloudError {
  return new CloudError(400, "InvalidPayload", "Data collection rule is invalid", {}, details);
}

function checkDeclarations(properties: z.output<typeof rulePropertiesBody>, details: Detail[]): void {
  for (const [stream, declaration] of Object.entries(properties.streamDeclarations ?? {})) {
    const target = `properties.streamDeclarations.${stream}`;
    if (!stream.startsWith("Custom-"))
      details.push({ code: "InvalidStreamDeclaration", message: `Declared stream '${stream}' must start with 'Custom-'.`, target });
    if (declaration.columns.length === 0) details.push({ code: "InvalidStreamDeclaration", message: `Stream '${stream}' declares no columns.`, target });
    const seen = new Set<string>();
    for (const [i, column] of declaration.columns.entries()) {
      const where = `${target}.columns[${i}]`;
      if (!COLUMN_NAME.test(column.name) || RESERVED_COLUMNS.has(column.name.toLowerCase())) {
        details.push({
          code: "InvalidColumnName",
          message: `Column name '${column.name}' must start with a letter, have at most 45 letters, digits, '_' and '-', and not be a reserved name.`,
          target: where,
        });
      }
      if (!(COLUMN_TYPES as readonly string[]).includes(column.type)) {
        details.push({
          code: "InvalidColumnType",
          message: `Column '${column.name}' has type '${column.type}'; use one of ${COLUMN_TYPES.join(", ")}.`,
          target: where,
        });
      }
      if (seen.has(column.name.toLowerCase())) details.push({ code: "DuplicateColumn", message: `Column '${column.name}' is declared twice.`, target: where });
      seen.add(column.name.toLowerCase());
    }
  }
}

function checkFlows(properties: z.output<typeof rulePropertiesBody>, details: Detail[]): void {
  const declared = new Set(Object.keys(properties.streamDeclarations ?? {}));
  const destinations = new Set((properties.destinations?.logAnalytics ?? []).map((d) => d.name));
  for (const [i, flow] of (properties.dataFlows ?? []).entries()) {
    const target = `properties.dataFlows[${i}]`;
    for (const stream of flow.streams) {
      if (!declared.has(stream))
        details.push({ code: "InvalidStream", message: `'Streams' stream '${stream}' must be a custom stream declared in streamDeclarations.`, target });
    }
    for (const destination of flow.destinations) {
      if (!destinations.has(destination))
        details.push({ code: "InvalidDestination", message: `Destination '${destination}' is not one of the rule's destinations.`, target });
    }
    const output = flow.outputStream ?? flow.streams[0] ?? "";
    if (!/^Custom-[A-Za-z0-9_]+_CL$/.test(output) && !/^Microsoft-[A-Za-z0-9]+$/.test(output)) {
      details.push({ code: "InvalidOutputTable", message: `Output stream '${output}' must be Custom-<Table>_CL or Microsoft-<Table>.`, target });
    }
    if (flow.transformKql !== undefined && flow.transformKql.trim().toLowerCase() !== "source") {
      details.push({
        code: "InvalidTransformQuery",
        message: "The local cloud runs no KQL: transformKql must be 'source' (records reach the table as declared).",
        target,
      });
    }
  }
  if ((properties.dataFlows ?? []).length === 0)
    details.push({ code: "InvalidDataFlow", message: "A data collection rule needs at least one data flow.", target: "properties.dataFlows" });
}

/**
 * A rule's properties once they pass Azure's checks (and the local one: no KQL beyond `source`).
 * @throws CloudError 400 InvalidPayload with one detail per problem
 */
export function checkRuleProperties(properties: z.output<typeof rulePropertiesBody>, endpointExists: (id: string) => boolean): RuleProperties {
  const details: Detail[] = [];
  checkDeclarations(properties, details);
  checkFlows(properties, details);
  const dce = properties.dataCollectionEndpointId;
  if (dce !== undefined && !endpointExists(dce)) {
    details.push({
      code: "InvalidDataCollectionEndpoint",
      message: `Data collection endpoint '${dce}' does not exist.`,
      target: "properties.dataCollectionEndpointId",
    });
  }
  if (details.length) throw invalidRule(details);
  return {
    ...(properties.description !== undefined ? { description: properties.description } : {}),
    ...(dce !== undefined ? { dataCollectionEndpointId: dce } : {}),
    streamDeclarations: Object.fromEntries(
      Object.entries(properties.streamDeclarations ?? {}).map(([stream, d]) => [
        stream,
        { columns: d.columns.map((c) => ({ name: c.name, type: c.type as ColumnType })) },
      ]),
    ),
    destinations: { logAnalytics: properties.destinations?.logAnalytics ?? [] },
    dataFlows: properties.dataFlows ?? [],
  };
}

export function endpointResource(cloudUrl: string, endpoint: DataCollectionEndpoint): Record<string, unknown> {
  const url = ingestionEndpoint(cloudUrl, endpoint.name);
  return {
    id: endpointId(endpoint.name),
    name: endpoint.name,
    type: "Microsoft.Insights/dataCollectionEndpoints",
    location: endpoint.location,
    tags: endpoint.tags,
    properties: {
      immutableId: endpoint.immutableId,
      configurationAccess: { endpoint: url },
      logsIngestion: { endpoint: url },
      networkAcls: { publicNetworkAccess: "Enabled" },
      provisioningState: "Succeeded",
    },
  };
}

export function ruleResource(rule: DataCollectionRule): Record<string, unknown> {
  return {
    id: ruleId(rule.name),
    name: rule.name,
    type: "Microsoft.Insights/dataCollectionRules",
    location: rule.location,
    tags: rule.tags,
    properties: { immutableId: rule.immutableId, ...rule.properties, provisioningState: "Succeeded" },
  };
}
