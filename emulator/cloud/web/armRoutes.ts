/**
 * @module Microsoft.Web's management plane on the local cloud, for `@azure/arm-appservice`'s
 * WebSiteManagementClient: sites (get, list, createOrUpdate, delete), their app settings (list, update:
 * a configuration change that restarts the app and resolves every reference again), the status of their
 * Key Vault references (list, get) and the Key Vault reference refresh
 * (`POST …/config/configreferences/appsettings/refresh`, which App Service documents and the SDK does not
 * wrap: send it through the client's pipeline). A site with `managementAccess` entries admits only those
 * principals (Reader reads, Contributor also lists settings and writes).
 */
import { z } from "zod";
import { armRoute as route, canManage, checkScope, parseArmBody, requireManagement, resourceNotFound } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import { parseSetting } from "./reference.js";
import { appSettingsResource, referenceResource, referencesCollection, siteResource } from "./shapes.js";
import { seededGuid, siteId, type Site } from "./site.js";
import type { LocalWebApps } from "./webApps.js";

const SITES = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.Web/sites";
const SITE = `${SITES}/{name}`;
const REFERENCES = `${SITE}/config/configreferences/appsettings`;

const identityBody = z.object({
  type: z.string().regex(/^(None|SystemAssigned|UserAssigned|SystemAssigned,\s*UserAssigned)$/i, {
    message: "must be None, SystemAssigned, UserAssigned or 'SystemAssigned, UserAssigned'",
  }),
  userAssignedIdentities: z.record(z.string(), z.object({ principalId: z.string().optional(), clientId: z.string().optional() }).nullable()).optional(),
});

const sitePutBody = z.object({
  location: z.string().min(1),
  kind: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  identity: identityBody.optional(),
  properties: z
    .object({
      keyVaultReferenceIdentity: z.string().optional(),
      siteConfig: z
        .object({ appSettings: z.array(z.object({ name: z.string().min(1), value: z.string() })).optional() })
        .passthrough()
        .optional(),
    })
    .passthrough()
    .optional(),
});

const appSettingsBody = z.object({ properties: z.record(z.string(), z.string()) });

function siteFor(web: LocalWebApps, request: CloudRequest, action: string): Site {
  checkScope(request);
  const site = web.store.get(request.params.name!);
  if (!site) throw resourceNotFound("Microsoft.Web/sites", request.params.name!, request.params.resourceGroup!);
  requireManagement(site.managementAccess, request, action, siteId(site.name));
  return site;
}

/** User-assigned identities as ARM names them, with ids the local stack derives when the body has none. */
function userAssigned(body: z.output<typeof identityBody> | undefined, current: Site["userAssignedIdentities"]): Site["userAssignedIdentities"] {
  const entries = Object.entries(body?.userAssignedIdentities ?? {}).map(([id, given]) => {
    const known = Object.entries(current).find(([k]) => k.toLowerCase() === id.toLowerCase())?.[1];
    const seed = id.toLowerCase();
    return [
      id,
      {
        principalId: given?.principalId ?? known?.principalId ?? seededGuid(`ua:${seed}`),
        clientId: given?.clientId ?? known?.clientId ?? seededGuid(`uac:${seed}`),
      },
    ];
  });
  return Object.fromEntries(entries) as Site["userAssignedIdentities"];
}

async function putSite(web: LocalWebApps, request: CloudRequest): Promise<Record<string, unknown>> {
  checkScope(request);
  const name = request.params.name!;
  const body = parseArmBody(sitePutBody, request.body);
  const existing = web.store.get(name);
  if (existing) requireManagement(existing.managementAccess, request, "Microsoft.Web/sites/write", siteId(existing.name));
  const settings = body.properties?.siteConfig?.appSettings;
  const changes = {
    location: body.location,
    ...(body.kind !== undefined ? { kind: body.kind } : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
    ...(body.identity ? { identityType: body.identity.type, userAssignedIdentities: userAssigned(body.identity, existing?.userAssignedIdentities ?? {}) } : {}),
    ...(body.properties?.keyVaultReferenceIdentity !== undefined ? { keyVaultReferenceIdentity: body.properties.keyVaultReferenceIdentity } : {}),
    ...(settings ? { appSettings: Object.fromEntries(settings.map((s) => [s.name, s.value])) } : {}),
  };
  if (existing) {
    await web.update(existing, changes);
    return siteResource(existing);
  }
  return siteResource(await web.create({ name, ...changes }));
}

function listSites(web: LocalWebApps, request: CloudRequest): { value: Record<string, unknown>[] } {
  checkScope(request);
  // ARM lists only what the caller may read.
  return {
    value: web.store
      .list()
      .filter((site) => canManage(site.managementAccess, request.identity, false))
      .map(siteResource),
  };
}

export function webArmRoutes(web: LocalWebApps): CloudRoute[] {
  return [
    route("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Web/sites", (request) => ({ body: listSites(web, request) })),
    route("GET", SITES, (request) => ({ body: listSites(web, request) })),
    route("GET", SITE, (request) => ({ body: siteResource(siteFor(web, request, "Microsoft.Web/sites/read")) })),
    route("PUT", SITE, async (request) => ({ body: await putSite(web, request) })),
    route("DELETE", SITE, (request) => {
      const site = siteFor(web, request, "Microsoft.Web/sites/delete");
      web.delete(site.name);
      return { status: 200 };
    }),
    route("POST", `${SITE}/config/appsettings/list`, (request) => ({
      body: appSettingsResource(siteFor(web, request, "Microsoft.Web/sites/config/list/action")),
    })),
    route("PUT", `${SITE}/config/appsettings`, async (request) => {
      const site = siteFor(web, request, "Microsoft.Web/sites/config/write");
      const { properties } = parseArmBody(appSettingsBody, request.body);
      await web.update(site, { appSettings: properties });
      return { body: appSettingsResource(site) };
    }),
    route("GET", REFERENCES, async (request) => {
      const site = await web.settled(siteFor(web, request, "Microsoft.Web/sites/config/read"));
      return { body: referencesCollection(site) };
    }),
    route("GET", `${REFERENCES}/{key}`, async (request) => {
      const site = await web.settled(siteFor(web, request, "Microsoft.Web/sites/config/read"));
      const key = Object.keys(site.references).find((k) => k.toLowerCase() === request.params.key!.toLowerCase());
      if (key === undefined) {
        const setting = Object.keys(site.appSettings).find((k) => k.toLowerCase() === request.params.key!.toLowerCase());
        const why = setting !== undefined && parseSetting(site.appSettings[setting]!).kind === "plain" ? "is not a Key Vault reference" : "does not exist";
        throw new CloudError(404, "NotFound", `App setting '${request.params.key}' of site '${site.name}' ${why}.`);
      }
      return { body: referenceResource(site, key, site.references[key]!) };
    }),
    route("POST", `${REFERENCES}/refresh`, async (request) => {
      const site = siteFor(web, request, "Microsoft.Web/sites/config/write");
      await web.refresh(site);
      return { body: referencesCollection(site) };
    }),
  ];
}
