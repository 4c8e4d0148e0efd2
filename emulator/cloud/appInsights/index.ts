/**
 * @module The local Application Insights ingestion endpoint: `POST /v2.1/track` (and `/v2/track`) at the
 * cloud's root, as the Azure Monitor exporter posts to `<IngestionEndpoint>/v2.1/track`: a JSON array of
 * items, a JSON stream (one per line) or either gzipped; 200, 206 or 400 with `itemsReceived`,
 * `itemsAccepted` and `errors`. Its admin API (`/management/appinsights/components`) makes components and
 * reads back what each received.
 */
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import type { LocalKeyVault } from "../../localKeyVault.js";
import { adminRoutesUnder, parseArmBody } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import { LocalAppInsights, type Component } from "./localAppInsights.js";

export { LocalAppInsights, type Envelope, type ReceivedItem } from "./localAppInsights.js";

function bodyItems(request: CloudRequest): unknown {
  const gzipped = request.headers["content-encoding"] === "gzip" || (request.raw[0] === 0x1f && request.raw[1] === 0x8b);
  let text: string;
  try {
    text = gzipped ? gunzipSync(request.raw).toString("utf8") : request.text;
  } catch {
    throw new CloudError(400, "BadRequest", "The body is not valid gzip.");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A JSON stream: one item per line.
    try {
      return text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as unknown);
    } catch {
      throw new CloudError(400, "BadRequest", "The body is neither a JSON array nor a JSON stream of telemetry items.");
    }
  }
}

function view(appInsights: LocalAppInsights, component: Component): Record<string, unknown> {
  return { ...component, connectionString: appInsights.connectionString(component), received: appInsights.items(component).length };
}

export function appInsightsProvider(kv: LocalKeyVault): { appInsights: LocalAppInsights; routes: CloudRoute[] } {
  const appInsights = new LocalAppInsights(kv);
  const track: CloudRoute["handle"] = (request) => {
    const answer = appInsights.track(bodyItems(request));
    return { status: answer.status, body: answer.body };
  };
  const admin = adminRoutesUnder("appinsights/components");
  const componentOf = (request: CloudRequest) => {
    const component = appInsights.get(request.params.name!);
    if (!component) throw new CloudError(404, "NotFound", `No component named ${request.params.name}.`);
    return component;
  };
  const routes: CloudRoute[] = [
    { api: "login", method: "POST", path: "/v2.1/track", handle: track },
    { api: "login", method: "POST", path: "/v2/track", handle: track },
    admin("GET", "", () => ({ body: appInsights.list().map((c) => view(appInsights, c)) })),
    admin("POST", "", (request) => {
      const { name } = parseArmBody(z.strictObject({ name: z.string().min(1) }), request.body);
      const created = !appInsights.get(name);
      return { status: created ? 201 : 200, body: view(appInsights, appInsights.ensure(name)) };
    }),
    admin("GET", "/{name}", (request) => ({ body: view(appInsights, componentOf(request)) })),
    // ?baseType=MetricData (or RequestData, RemoteDependencyData...) narrows what comes back.
    admin("GET", "/{name}/items", (request) => {
      const baseType = request.query.get("baseType");
      const items = appInsights.items(componentOf(request));
      return { body: baseType ? items.filter((i) => i.item.data.baseType === baseType) : items };
    }),
    admin("DELETE", "/{name}/items", (request) => {
      appInsights.clear(componentOf(request));
      return { status: 204 };
    }),
  ];
  return { appInsights, routes };
}
