/**
 * @module Data collection endpoints and rules on the local cloud's ARM: get, list, createOrUpdate (PUT, as
 * Bicep and ARM deployments send it, streamDeclarations included), delete. `@azure/arm-monitor` 7 reads them
 * (its DCR api-version, 2021-04-01, predates stream declarations, so it cannot write them: a PUT of a rule is
 * what a deployment sends). Management access as for the other providers.
 */
import { armRoute as route, canManage, checkScope, parseArmBody, requireManagement, resourceNotFound } from "../armScope.js";
import type { CloudRequest, CloudRoute } from "../host.js";
import type { LocalLogsIngestion } from "./localLogsIngestion.js";
import {
  checkRuleProperties,
  endpointId,
  endpointPutBody,
  endpointResource,
  ruleId,
  rulePutBody,
  ruleResource,
  type DataCollectionEndpoint,
  type DataCollectionRule,
} from "./rule.js";

const PROVIDER = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Insights";
const ENDPOINT = `${PROVIDER}/dataCollectionEndpoints/{name}`;
const RULE = `${PROVIDER}/dataCollectionRules/{name}`;

/** ARM lists only what the caller may read. */
function readable<T extends DataCollectionEndpoint | DataCollectionRule>(request: CloudRequest, items: T[]): T[] {
  checkScope(request);
  return items.filter((item) => canManage(item.managementAccess, request.identity, false));
}

export function logsArmRoutes(logs: LocalLogsIngestion): CloudRoute[] {
  const endpointFor = (request: CloudRequest, action: string): DataCollectionEndpoint => {
    checkScope(request);
    const endpoint = logs.endpoint(request.params.name!);
    if (!endpoint) throw resourceNotFound("Microsoft.Insights/dataCollectionEndpoints", request.params.name!, request.params.resourceGroup!);
    requireManagement(endpoint.managementAccess, request, action, endpointId(endpoint.name));
    return endpoint;
  };
  const ruleFor = (request: CloudRequest, action: string): DataCollectionRule => {
    checkScope(request);
    const rule = logs.rule(request.params.name!);
    if (!rule) throw resourceNotFound("Microsoft.Insights/dataCollectionRules", request.params.name!, request.params.resourceGroup!);
    requireManagement(rule.managementAccess, request, action, ruleId(rule.name));
    return rule;
  };
  const listEndpoints = (request: CloudRequest) => ({
    body: { value: readable(request, logs.endpoints()).map((e) => endpointResource(logs.baseUrl, e)) },
  });
  const listRules = (request: CloudRequest) => ({
    body: { value: readable(request, logs.rules()).map(ruleResource) },
  });
  return [
    route("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Insights/dataCollectionEndpoints", listEndpoints),
    route("GET", `${PROVIDER}/dataCollectionEndpoints`, listEndpoints),
    route("GET", ENDPOINT, (request) => ({ body: endpointResource(logs.baseUrl, endpointFor(request, "Microsoft.Insights/dataCollectionEndpoints/read")) })),
    route("PUT", ENDPOINT, (request) => {
      checkScope(request);
      const existing = logs.endpoint(request.params.name!);
      if (existing) requireManagement(existing.managementAccess, request, "Microsoft.Insights/dataCollectionEndpoints/write", endpointId(existing.name));
      const body = parseArmBody(endpointPutBody, request.body);
      const { endpoint, created } = logs.putEndpoint({ name: request.params.name!, location: body.location, ...(body.tags ? { tags: body.tags } : {}) });
      return { status: created ? 201 : 200, body: endpointResource(logs.baseUrl, endpoint) };
    }),
    route("DELETE", ENDPOINT, (request) => {
      logs.deleteEndpoint(endpointFor(request, "Microsoft.Insights/dataCollectionEndpoints/delete").name);
      return { status: 200 };
    }),
    route("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Insights/dataCollectionRules", listRules),
    route("GET", `${PROVIDER}/dataCollectionRules`, listRules),
    route("GET", RULE, (request) => ({ body: ruleResource(ruleFor(request, "Microsoft.Insights/dataCollectionRules/read")) })),
    route("PUT", RULE, (request) => {
      checkScope(request);
      const existing = logs.rule(request.params.name!);
      if (existing) requireManagement(existing.managementAccess, request, "Microsoft.Insights/dataCollectionRules/write", ruleId(existing.name));
      const body = parseArmBody(rulePutBody, request.body);
      const properties = checkRuleProperties(body.properties, (id) => logs.hasEndpoint(id));
      const { rule, created } = logs.putRule({ name: request.params.name!, location: body.location, ...(body.tags ? { tags: body.tags } : {}), properties });
      return { status: created ? 201 : 200, body: ruleResource(rule) };
    }),
    route("DELETE", RULE, (request) => {
      logs.deleteRule(ruleFor(request, "Microsoft.Insights/dataCollectionRules/delete").name);
      return { status: 200 };
    }),
  ];
}
