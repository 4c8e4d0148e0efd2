/**
 * @module The key-based resources on the local cloud's ARM, in the shapes of each REST spec at the api-version
 * its `@azure/arm-*` SDK sends: get the resource (its data-plane endpoint), list its keys, regenerate one.
 *
 *   Microsoft.Cache/redis                        listKeys, regenerateKey {keyType: Primary|Secondary}
 *   Microsoft.DocumentDB/databaseAccounts        listKeys, readonlykeys, regenerateKey {keyKind} (long-running: answered done)
 *   Microsoft.ServiceBus|EventHub/namespaces     [.../queues|topics|eventhubs/{e}]/authorizationRules/{r}: get, listKeys, regenerateKeys {keyType: PrimaryKey|SecondaryKey, key?}
 *   Microsoft.CognitiveServices/accounts         listKeys, regenerateKey {keyName: Key1|Key2}
 *   Microsoft.Search/searchServices              listAdminKeys, regenerateAdminKey/{primary|secondary}
 *   Microsoft.SignalRService/signalR|webPubSub   listKeys, regenerateKey {keyType: Primary|Secondary} (long-running: answered done)
 *   Microsoft.AppConfiguration/configurationStores  listKeys (a page of ApiKey), regenerateKey {id}
 *
 * Key creation times are not in these APIs (App Configuration's `lastModified` and Cosmos DB's `keysMetadata`
 * are). No RBAC here: any ARM token may list and regenerate, as for the local storage accounts.
 */
import { armRoute as route, checkScope, resourceNotFound } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import { KIND_INFO, resourceId, type Kind, type KeyResource, type LocalKeyPairs } from "./resources.js";

const BASE = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers";
const LOCATION = "local";

function find(keyPairs: LocalKeyPairs, request: CloudRequest, kind: Kind, rule?: boolean): KeyResource {
  checkScope(request);
  const { name, collection, entity, resourceGroup } = request.params as { name: string; collection?: string; entity?: string; resourceGroup: string };
  const entityPath = collection !== undefined ? `${collection.toLowerCase()}/${entity}` : undefined;
  const found = rule
    ? keyPairs.get(kind, name, entityPath, request.params.rule)
    : keyPairs.list().find((r) => r.kind === kind && r.name.toLowerCase() === name.toLowerCase());
  if (found) return found;
  if (!rule) throw resourceNotFound(KIND_INFO[kind].type, name, resourceGroup);
  throw resourceNotFound(`${KIND_INFO[kind].type}/${name}${entityPath ? `/${entityPath}` : ""}/authorizationRules`, request.params.rule!, resourceGroup);
}

function arm(kind: Kind, resource: KeyResource, properties: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: resourceId({ kind, name: resource.name }),
    name: resource.name,
    type: KIND_INFO[kind].type,
    location: LOCATION,
    tags: {},
    ...extra,
    properties: { provisioningState: "Succeeded", ...properties },
  };
}

function choice<T extends string>(value: unknown, field: string, allowed: Record<string, T>): T {
  const found = typeof value === "string" ? allowed[value.toLowerCase()] : undefined;
  if (!found)
    throw new CloudError(400, "InvalidRequestContent", `${field} must be one of ${Object.keys(allowed).join(", ")}, got ${JSON.stringify(value ?? null)}.`);
  return found;
}

const field = (request: CloudRequest, name: string): unknown => (request.body as Record<string, unknown> | undefined)?.[name];
const values = (resource: KeyResource, ...slots: string[]) => Object.fromEntries(slots.map((s) => [s, resource.keys[s]!.value]));

function redisRoutes(keyPairs: LocalKeyPairs): CloudRoute[] {
  const path = `${BASE}/Microsoft.Cache/redis/{name}`;
  const keys = (r: KeyResource) => values(r, "primaryKey", "secondaryKey");
  return [
    route("GET", path, (request) => {
      const r = find(keyPairs, request, "redis");
      const port = keyPairs.redisPort(r.name);
      return {
        body: arm("redis", r, {
          hostName: "127.0.0.1",
          port,
          sslPort: port,
          enableNonSslPort: false,
          redisVersion: "7",
          minimumTlsVersion: "1.2",
          sku: { name: "Basic", family: "C", capacity: 0 },
        }),
      };
    }),
    route("POST", `${path}/listKeys`, (request) => ({ body: keys(find(keyPairs, request, "redis")) })),
    route("POST", `${path}/regenerateKey`, async (request) => {
      const r = find(keyPairs, request, "redis");
      const slot = choice(field(request, "keyType"), "keyType", { primary: "primaryKey", secondary: "secondaryKey" });
      await keyPairs.regenerate(r, slot);
      return { body: keys(r) };
    }),
  ];
}

function cosmosRoutes(keyPairs: LocalKeyPairs): CloudRoute[] {
  const path = `${BASE}/Microsoft.DocumentDB/databaseAccounts/{name}`;
  const readOnly = (request: CloudRequest) => ({ body: values(find(keyPairs, request, "cosmos"), "primaryReadonlyMasterKey", "secondaryReadonlyMasterKey") });
  return [
    route("GET", path, (request) => {
      const r = find(keyPairs, request, "cosmos");
      const metadata = Object.fromEntries(Object.entries(r.keys).map(([slot, key]) => [slot, { generationTime: key.lastModified }]));
      return {
        body: arm(
          "cosmos",
          r,
          { documentEndpoint: `${keyPairs.baseUrl}/cosmos/${r.name}/`, databaseAccountOfferType: "Standard", keysMetadata: metadata, disableLocalAuth: false },
          { kind: "GlobalDocumentDB" },
        ),
      };
    }),
    route("POST", `${path}/listKeys`, (request) => ({ body: values(find(keyPairs, request, "cosmos"), ...KIND_INFO.cosmos.slots) })),
    route("POST", `${path}/readonlykeys`, readOnly),
    route("GET", `${path}/readonlykeys`, readOnly),
    route("POST", `${path}/regenerateKey`, async (request) => {
      const r = find(keyPairs, request, "cosmos");
      const slot = choice(field(request, "keyKind"), "keyKind", {
        primary: "primaryMasterKey",
        secondary: "secondaryMasterKey",
        primaryreadonly: "primaryReadonlyMasterKey",
        secondaryreadonly: "secondaryReadonlyMasterKey",
      });
      await keyPairs.regenerate(r, slot);
      return { status: 200 };
    }),
  ];
}

/** A namespace's (or entity's) rule: its keys and the connection strings that carry them. */
function accessKeys(keyPairs: LocalKeyPairs, r: KeyResource): Record<string, string> {
  const endpoint = `sb://${new URL(keyPairs.baseUrl).host}/${r.kind === "serviceBus" ? "servicebus" : "eventhubs"}/${r.name}/`;
  const entityPath = r.entity ? `;EntityPath=${r.entity.split("/")[1]}` : "";
  const cs = (key: string) => `Endpoint=${endpoint};SharedAccessKeyName=${r.rule};SharedAccessKey=${key}${entityPath}`;
  return {
    primaryConnectionString: cs(r.keys.primaryKey!.value),
    secondaryConnectionString: cs(r.keys.secondaryKey!.value),
    primaryKey: r.keys.primaryKey!.value,
    secondaryKey: r.keys.secondaryKey!.value,
    keyName: r.rule!,
  };
}

function messagingRoutes(keyPairs: LocalKeyPairs, kind: "serviceBus" | "eventHubs"): CloudRoute[] {
  const ns = `${BASE}/${KIND_INFO[kind].type}/{name}`;
  const collections = kind === "serviceBus" ? ["queues", "topics"] : ["eventhubs"];
  const dataPath = kind === "serviceBus" ? "servicebus" : "eventhubs";
  const ruleOf = (request: CloudRequest) => {
    const collection = request.params.collection;
    if (collection !== undefined && !collections.includes(collection.toLowerCase()))
      throw new CloudError(404, "NotFound", `No route for ${collection} under ${KIND_INFO[kind].type}.`);
    return find(keyPairs, request, kind, true);
  };
  const ruleBody = (r: KeyResource) => ({
    id: resourceId(r),
    name: r.rule,
    type: `${KIND_INFO[kind].type}${r.entity ? `/${r.entity.split("/")[0]}` : ""}/authorizationRules`,
    location: LOCATION,
    properties: { rights: r.rights },
  });
  const ruleRoutes = (base: string): CloudRoute[] => [
    route("GET", base, (request) => ({ body: ruleBody(ruleOf(request)) })),
    route("POST", `${base}/listKeys`, (request) => ({ body: accessKeys(keyPairs, ruleOf(request)) })),
    route("POST", `${base}/regenerateKeys`, async (request) => {
      const r = ruleOf(request);
      const slot = choice(field(request, "keyType"), "keyType", { primarykey: "primaryKey", secondarykey: "secondaryKey" });
      const given = field(request, "key");
      if (given !== undefined && (typeof given !== "string" || given.length < 32))
        throw new CloudError(400, "BadRequest", "key must be a string of at least 32 characters.");
      await keyPairs.regenerate(r, slot, given);
      return { body: accessKeys(keyPairs, r) };
    }),
  ];
  return [
    route("GET", ns, (request) => {
      const r = find(keyPairs, request, kind);
      return {
        body: arm(
          kind,
          r,
          { serviceBusEndpoint: `${keyPairs.baseUrl}/${dataPath}/${r.name}/`, status: "Active" },
          { sku: { name: "Standard", tier: "Standard" } },
        ),
      };
    }),
    ...ruleRoutes(`${ns}/authorizationRules/{rule}`),
    ...ruleRoutes(`${ns}/{collection}/{entity}/authorizationRules/{rule}`),
  ];
}

function cognitiveRoutes(keyPairs: LocalKeyPairs): CloudRoute[] {
  const path = `${BASE}/Microsoft.CognitiveServices/accounts/{name}`;
  const keys = (r: KeyResource) => values(r, "key1", "key2");
  return [
    route("GET", path, (request) => {
      const r = find(keyPairs, request, "cognitive");
      return {
        body: arm(
          "cognitive",
          r,
          { endpoint: `${keyPairs.baseUrl}/cognitive/${r.name}/`, disableLocalAuth: false },
          { kind: r.accountKind, sku: { name: "S0" } },
        ),
      };
    }),
    route("POST", `${path}/listKeys`, (request) => ({ body: keys(find(keyPairs, request, "cognitive")) })),
    route("POST", `${path}/regenerateKey`, async (request) => {
      const r = find(keyPairs, request, "cognitive");
      await keyPairs.regenerate(r, choice(field(request, "keyName"), "keyName", { key1: "key1", key2: "key2" }));
      return { body: keys(r) };
    }),
  ];
}

function searchRoutes(keyPairs: LocalKeyPairs): CloudRoute[] {
  const path = `${BASE}/Microsoft.Search/searchServices/{name}`;
  const keys = (r: KeyResource) => values(r, "primaryKey", "secondaryKey");
  return [
    route("GET", path, (request) => {
      const r = find(keyPairs, request, "search");
      return {
        body: arm(
          "search",
          r,
          { endpoint: `${keyPairs.baseUrl}/search/${r.name}`, status: "running", replicaCount: 1, partitionCount: 1, disableLocalAuth: false },
          { sku: { name: "basic" } },
        ),
      };
    }),
    route("POST", `${path}/listAdminKeys`, (request) => ({ body: keys(find(keyPairs, request, "search")) })),
    route("POST", `${path}/regenerateAdminKey/{keyKind}`, async (request) => {
      const r = find(keyPairs, request, "search");
      await keyPairs.regenerate(r, choice(request.params.keyKind, "keyKind", { primary: "primaryKey", secondary: "secondaryKey" }));
      return { body: keys(r) };
    }),
  ];
}

function signalRRoutes(keyPairs: LocalKeyPairs, kind: "signalR" | "webPubSub"): CloudRoute[] {
  const path = `${BASE}/${KIND_INFO[kind].type}/{name}`;
  const dataPath = kind === "signalR" ? "signalr" : "webpubsub";
  const endpoint = (r: KeyResource) => `${keyPairs.baseUrl}/${dataPath}/${r.name}`;
  const keys = (r: KeyResource) => {
    const cs = (key: string) => `Endpoint=${endpoint(r)};AccessKey=${key};Version=1.0;`;
    return {
      primaryKey: r.keys.primaryKey!.value,
      secondaryKey: r.keys.secondaryKey!.value,
      primaryConnectionString: cs(r.keys.primaryKey!.value),
      secondaryConnectionString: cs(r.keys.secondaryKey!.value),
    };
  };
  return [
    route("GET", path, (request) => {
      const r = find(keyPairs, request, kind);
      const host = new URL(keyPairs.baseUrl);
      return {
        body: arm(
          kind,
          r,
          { hostName: host.hostname, publicPort: Number(host.port), serverPort: Number(host.port), disableLocalAuth: false },
          { sku: { name: "Standard_S1", tier: "Standard" } },
        ),
      };
    }),
    route("POST", `${path}/listKeys`, (request) => ({ body: keys(find(keyPairs, request, kind)) })),
    route("POST", `${path}/regenerateKey`, async (request) => {
      const r = find(keyPairs, request, kind);
      const slot = choice(field(request, "keyType"), "keyType", { primary: "primaryKey", secondary: "secondaryKey" });
      await keyPairs.regenerate(r, slot);
      return { body: keys(r) };
    }),
  ];
}

function appConfigurationRoutes(keyPairs: LocalKeyPairs): CloudRoute[] {
  const path = `${BASE}/Microsoft.AppConfiguration/configurationStores/{name}`;
  const endpoint = (r: KeyResource) => `${keyPairs.baseUrl}/appconfig/${r.name}`;
  const apiKey = (r: KeyResource, slot: string) => {
    const key = r.keys[slot]!;
    return {
      id: key.id,
      name: slot,
      value: key.value,
      connectionString: `Endpoint=${endpoint(r)};Id=${key.id};Secret=${key.value}`,
      lastModified: key.lastModified,
      readOnly: slot.endsWith("Read Only"),
    };
  };
  return [
    route("GET", path, (request) => {
      const r = find(keyPairs, request, "appConfiguration");
      return { body: arm("appConfiguration", r, { endpoint: endpoint(r), disableLocalAuth: false }, { sku: { name: "standard" } }) };
    }),
    route("POST", `${path}/listKeys`, (request) => {
      const r = find(keyPairs, request, "appConfiguration");
      return { body: { value: KIND_INFO.appConfiguration.slots.map((slot) => apiKey(r, slot)) } };
    }),
    route("POST", `${path}/regenerateKey`, async (request) => {
      const r = find(keyPairs, request, "appConfiguration");
      const id = field(request, "id");
      const slot = Object.keys(r.keys).find((s) => r.keys[s]!.id === id);
      if (!slot) throw new CloudError(400, "InvalidRequestContent", `No access key of ${r.name} has id ${JSON.stringify(id ?? null)}.`);
      await keyPairs.regenerate(r, slot);
      return { body: apiKey(r, slot) };
    }),
  ];
}

export function keyPairArmRoutes(keyPairs: LocalKeyPairs): CloudRoute[] {
  return [
    ...redisRoutes(keyPairs),
    ...cosmosRoutes(keyPairs),
    ...messagingRoutes(keyPairs, "serviceBus"),
    ...messagingRoutes(keyPairs, "eventHubs"),
    ...cognitiveRoutes(keyPairs),
    ...searchRoutes(keyPairs),
    ...signalRRoutes(keyPairs, "signalR"),
    ...signalRRoutes(keyPairs, "webPubSub"),
    ...appConfigurationRoutes(keyPairs),
  ];
}
