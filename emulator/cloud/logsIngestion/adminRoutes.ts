/**
 * @module The local Logs Ingestion API's admin API (`/management/monitor/`, no token): create data collection
 * endpoints and rules (a rule's `properties` as ARM takes them), set who holds Monitoring Metrics Publisher
 * and whether misfit records are refused ("strict", the default) or dropped as Azure drops them ("azure"),
 * and read back what was ingested (`GET /management/monitor/tables/{table}`) and the DCR errors.
 */
import { z } from "zod";
import { adminRoutesUnder, parseArmBody, withoutUndefined } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import type { LocalLogsIngestion } from "./localLogsIngestion.js";
import { checkRuleProperties, endpointResource, ingestionEndpoint, rulePropertiesBody, type DataCollectionRule } from "./rule.js";

const access = z.array(z.strictObject({ principalId: z.string().min(1), role: z.enum(["Reader", "Contributor"]) }));

const ruleSettings = z.strictObject({
  /** Object ids holding Monitoring Metrics Publisher; empty: every Entra caller. */
  publishers: z.array(z.string().min(1)).optional(),
  validation: z.enum(["strict", "azure"]).optional(),
  managementAccess: access.optional(),
});

const newRule = ruleSettings.extend({
  name: z.string().min(1),
  location: z.string().min(1).optional(),
  /** The endpoint to bind, by name (sets `properties.dataCollectionEndpointId`). */
  dataCollectionEndpoint: z.string().min(1).optional(),
  properties: rulePropertiesBody,
});

const newEndpoint = z.strictObject({ name: z.string().min(1), location: z.string().min(1).optional(), managementAccess: access.optional() });

function ruleView(logs: LocalLogsIngestion, rule: DataCollectionRule): Record<string, unknown> {
  const endpointName = rule.properties.dataCollectionEndpointId?.split("/").at(-1);
  return {
    name: rule.name,
    immutableId: rule.immutableId,
    ingestionEndpoint: endpointName ? ingestionEndpoint(logs.baseUrl, endpointName) : null,
    publishers: rule.publishers,
    validation: rule.validation,
    managementAccess: rule.managementAccess ?? [],
    properties: rule.properties,
  };
}

function ruleOf(logs: LocalLogsIngestion, request: CloudRequest): DataCollectionRule {
  const rule = logs.rule(request.params.name!);
  if (!rule) throw new CloudError(404, "NotFound", `No data collection rule named ${request.params.name}.`);
  return rule;
}

export function logsAdminRoutes(logs: LocalLogsIngestion): CloudRoute[] {
  const route = adminRoutesUnder("monitor");
  return [
    route("GET", "/dataCollectionEndpoints", () => ({ body: logs.endpoints().map((e) => endpointResource(logs.baseUrl, e)) })),
    route("POST", "/dataCollectionEndpoints", (request) => {
      const body = parseArmBody(newEndpoint, request.body);
      const { endpoint, created } = logs.putEndpoint(withoutUndefined({ name: body.name, location: body.location }) as { name: string });
      if (body.managementAccess) logs.update(endpoint, { managementAccess: body.managementAccess });
      return { status: created ? 201 : 200, body: endpointResource(logs.baseUrl, endpoint) };
    }),
    route("GET", "/dataCollectionRules", () => ({ body: logs.rules().map((r) => ruleView(logs, r)) })),
    route("POST", "/dataCollectionRules", (request) => {
      const body = parseArmBody(newRule, request.body);
      const endpoint = body.dataCollectionEndpoint === undefined ? undefined : logs.endpoint(body.dataCollectionEndpoint);
      if (body.dataCollectionEndpoint !== undefined && !endpoint)
        throw new CloudError(400, "BadRequest", `No data collection endpoint named ${body.dataCollectionEndpoint}.`);
      const dataCollectionEndpointId = endpoint ? (endpointResource(logs.baseUrl, endpoint).id as string) : body.properties.dataCollectionEndpointId;
      const properties = checkRuleProperties({ ...body.properties, ...withoutUndefined({ dataCollectionEndpointId }) }, (id) => logs.hasEndpoint(id));
      const { rule, created } = logs.putRule(
        withoutUndefined({ name: body.name, location: body.location, properties }) as { name: string; properties: typeof properties },
      );
      logs.update(rule, withoutUndefined({ publishers: body.publishers, validation: body.validation, managementAccess: body.managementAccess }));
      return { status: created ? 201 : 200, body: ruleView(logs, rule) };
    }),
    route("GET", "/dataCollectionRules/{name}", (request) => ({ body: ruleView(logs, ruleOf(logs, request)) })),
    route("PATCH", "/dataCollectionRules/{name}", (request) => {
      const rule = ruleOf(logs, request);
      logs.update(rule, withoutUndefined(parseArmBody(ruleSettings, request.body)));
      return { body: ruleView(logs, rule) };
    }),
    route("GET", "/dataCollectionRules/{name}/errors", (request) => ({ body: logs.errors(ruleOf(logs, request)) })),
    route("GET", "/tables", () => ({ body: logs.tables() })),
    route("GET", "/tables/{table}", (request) => ({ body: logs.rows(request.params.table!) })),
  ];
}
