/**
 * @module The Logs Ingestion API's upload, `POST {endpoint}/dataCollectionRules/{immutableId}/streams/{stream}`
 * (api-version 2023-01-01), as `@azure/monitor-ingestion`'s LogsIngestionClient calls it: a Bearer token for
 * `https://monitor.azure.com` (checked by the host), Monitoring Metrics Publisher on the rule, the rule bound
 * to the endpoint, a declared stream, a JSON array of at most 1 MB compressed or not (gzip taken), every
 * record fitting the stream's columns; 204 once written. A rule in "strict" validation (the default)
 * refuses the whole call for one misfit; in "azure" validation the call succeeds as in Azure, misfit values
 * are dropped and each problem is logged as a DCR error.
 */
import { gunzipSync } from "node:zlib";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import type { LocalLogsIngestion } from "./localLogsIngestion.js";
import { checkRecord, type RecordProblem } from "./records.js";
import { endpointId, ruleId, type DataCollectionRule } from "./rule.js";

/** Documented as 1 MB for the call, compressed or not; taken as 1,048,576 bytes. */
export const MAX_CALL_BYTES = 1024 * 1024;
/** Problems named in one refusal. */
const NAMED_PROBLEMS = 10;

function header(request: CloudRequest, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? "";
}

function tooLarge(bytes: number, what: string): CloudError {
  return new CloudError(413, "ContentLengthLimitExceeded", `The ${what} has ${bytes} bytes; the Logs Ingestion API takes at most ${MAX_CALL_BYTES} per call.`);
}

/** The body as JSON text: gunzipped when sent with Content-Encoding gzip, within 1 MB both ways. */
function bodyText(request: CloudRequest): string {
  if (request.raw.length > MAX_CALL_BYTES) throw tooLarge(request.raw.length, "request body");
  const encoding = header(request, "content-encoding").toLowerCase();
  if (encoding === "" || encoding === "identity") return request.text;
  if (encoding !== "gzip") throw new CloudError(415, "UnsupportedContentEncoding", `Content-Encoding '${encoding}' is not supported; send gzip or none.`);
  let inflated: Buffer;
  try {
    inflated = gunzipSync(request.raw, { maxOutputLength: MAX_CALL_BYTES + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(MAX_CALL_BYTES + 1, "uncompressed body (at least)");
    throw new CloudError(400, "InvalidContentEncoding", "The request body is not valid gzip.");
  }
  if (inflated.length > MAX_CALL_BYTES) throw tooLarge(inflated.length, "uncompressed body");
  return inflated.toString("utf8");
}

function accessDenied(rule: DataCollectionRule, oid: string | undefined, why: string): CloudError {
  return new CloudError(
    403,
    "OperationFailed",
    `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${rule.immutableId}'. ${why} DcrArmId: ${ruleId(rule.name)}, objectId ${oid ?? "unknown"}.`,
  );
}

function refuseRecords(problems: RecordProblem[]): CloudError {
  const named = problems.slice(0, NAMED_PROBLEMS).map((p) => p.message);
  const more = problems.length > NAMED_PROBLEMS ? ` (and ${problems.length - NAMED_PROBLEMS} more)` : "";
  return new CloudError(400, "InvalidRecords", `${problems.length} problem(s) with the records: ${named.join("; ")}${more}. Nothing was ingested.`);
}

function ingest(logs: LocalLogsIngestion, request: CloudRequest): { status: number } {
  const endpoint = logs.endpoint(request.params.endpoint!);
  if (!endpoint) throw new CloudError(404, "NotFound", `No data collection endpoint '${request.params.endpoint}' is served here.`);
  if (!request.query.get("api-version"))
    throw new CloudError(400, "MissingApiVersionParameter", "The api-version query parameter is required (api-version=2023-01-01).");
  const rule = logs.ruleByImmutableId(request.params.immutableId!);
  if (!rule) throw new CloudError(404, "NotFound", `No data collection rule with immutable Id '${request.params.immutableId}' exists.`);
  const oid = request.identity?.oid;
  if (rule.publishers.length && (oid === undefined || !rule.publishers.includes(oid))) {
    throw accessDenied(rule, oid, "The caller does not have the Monitoring Metrics Publisher role on the rule.");
  }
  if (rule.properties.dataCollectionEndpointId?.toLowerCase() !== endpointId(endpoint.name).toLowerCase()) {
    throw accessDenied(rule, oid, `IsDcrDceBindingValid: False: the rule is not bound to data collection endpoint '${endpoint.name}'.`);
  }
  const stream = request.params.stream!;
  const declaration = rule.properties.streamDeclarations[stream];
  if (!declaration || !rule.properties.dataFlows.some((f) => f.streams.includes(stream))) {
    throw new CloudError(
      400,
      "InvalidStream",
      `Stream '${stream}' is not declared with a data flow in data collection rule '${rule.name}' (declared: ${Object.keys(rule.properties.streamDeclarations).join(", ") || "none"}).`,
    );
  }
  const contentType = header(request, "content-type").split(";")[0]!.trim().toLowerCase();
  if (contentType !== "application/json")
    throw new CloudError(415, "UnsupportedMediaType", `Content-Type '${contentType}' is not supported; send application/json.`);
  let records: unknown;
  try {
    records = JSON.parse(bodyText(request));
  } catch (error) {
    if (error instanceof CloudError) throw error;
    throw new CloudError(400, "InvalidJson", "The request body is not valid JSON.");
  }
  const clientRequestId = header(request, "x-ms-client-request-id");
  if (!Array.isArray(records)) {
    const message = "The request body is not a JSON array of records.";
    if (rule.validation === "strict") throw new CloudError(400, "InvalidRecords", `${message} Nothing was ingested.`);
    // Azure answers 204 to a body that is not an array, and writes nothing.
    logs.logError(rule, { InputStreamId: stream, Message: message, ClientRequestId: clientRequestId });
    return { status: 204 };
  }
  const checked = records.map((record, i) => checkRecord(record, i, declaration.columns));
  const problems = checked.flatMap((c) => c.problems);
  if (problems.length && rule.validation === "strict") throw refuseRecords(problems);
  for (const problem of problems) logs.logError(rule, { InputStreamId: stream, Message: problem.message, ClientRequestId: clientRequestId });
  logs.write(
    rule,
    stream,
    checked.flatMap((c) => (c.row ? [c.row] : [])),
  );
  return { status: 204 };
}

export function ingestRoutes(logs: LocalLogsIngestion): CloudRoute[] {
  return [
    {
      api: "monitor",
      method: "POST",
      path: "/dce/{endpoint}/dataCollectionRules/{immutableId}/streams/{stream}",
      handle: (request) => ingest(logs, request),
    },
  ];
}
