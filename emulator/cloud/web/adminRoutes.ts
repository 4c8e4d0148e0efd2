/**
 * @module The local App Service's admin API (`/management/web/`, no token, like the local Key Vault's
 * `/management/`): create sites with their identity and app settings, change them, and read what a site's
 * running app sees (`GET /management/web/sites/{name}/env`: its settings with references resolved; secret
 * values only with `?reveal=true`, a fingerprint otherwise).
 */
import { z } from "zod";
import { adminRoutesUnder, parseArmBody, withoutUndefined } from "../armScope.js";
import { CloudError, type CloudRequest, type CloudRoute } from "../host.js";
import { environment } from "./shapes.js";
import { siteId, type Site } from "./site.js";
import type { LocalWebApps } from "./webApps.js";

const siteSettings = z.strictObject({
  kind: z.string().min(1).optional(),
  location: z.string().min(1).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  identityType: z
    .string()
    .regex(/^(None|SystemAssigned|UserAssigned|SystemAssigned,\s*UserAssigned)$/i)
    .optional(),
  principalId: z.string().min(1).optional(),
  userAssignedIdentities: z.record(z.string(), z.strictObject({ principalId: z.string().min(1), clientId: z.string().min(1) })).optional(),
  keyVaultReferenceIdentity: z.string().min(1).optional(),
  appSettings: z.record(z.string(), z.string()).optional(),
  /** Hours a resolved reference is cached (App Service: 24). */
  cacheHours: z.number().positive().optional(),
  managementAccess: z.array(z.strictObject({ principalId: z.string().min(1), role: z.enum(["Reader", "Contributor"]) })).optional(),
});

const newSite = siteSettings.extend({ name: z.string().min(1) });

function adminView(web: LocalWebApps, site: Site): Record<string, unknown> {
  return {
    name: site.name,
    id: siteId(site.name),
    kind: site.kind,
    identityType: site.identityType,
    principalId: site.principalId,
    userAssignedIdentities: site.userAssignedIdentities,
    keyVaultReferenceIdentity: site.keyVaultReferenceIdentity,
    cacheHours: site.cacheHours,
    appSettings: site.appSettings,
    managementAccess: site.managementAccess ?? [],
    references: Object.entries(site.references).map(([name, ref]) => ({
      name,
      status: ref.status,
      secretName: ref.secretName ?? null,
      activeVersion: ref.activeVersion ?? null,
      details: ref.details ?? null,
      resolvedAt: new Date(ref.resolvedAtMs).toISOString(),
      expiresAt: new Date(web.expiresAtMs(site, ref)).toISOString(),
    })),
  };
}

function siteOf(web: LocalWebApps, request: CloudRequest): Site {
  const site = web.store.get(request.params.name!);
  if (!site) throw new CloudError(404, "NotFound", `No site named ${request.params.name}.`);
  return site;
}

export function webAdminRoutes(web: LocalWebApps): CloudRoute[] {
  const route = adminRoutesUnder("web");
  return [
    route("GET", "/sites", () => ({ body: web.store.list().map((site) => adminView(web, site)) })),
    route("POST", "/sites", async (request) => {
      const site = await web.create(withoutUndefined(parseArmBody(newSite, request.body)) as z.output<typeof newSite>);
      return { status: 201, body: adminView(web, site) };
    }),
    route("GET", "/sites/{name}", async (request) => ({ body: adminView(web, await web.settled(siteOf(web, request))) })),
    route("PATCH", "/sites/{name}", async (request) => {
      const site = siteOf(web, request);
      await web.update(site, withoutUndefined(parseArmBody(siteSettings, request.body)));
      return { body: adminView(web, site) };
    }),
    route("PUT", "/sites/{name}/appsettings", async (request) => {
      const site = siteOf(web, request);
      await web.update(site, { appSettings: parseArmBody(z.record(z.string(), z.string()), request.body) });
      return { body: adminView(web, site) };
    }),
    route("DELETE", "/sites/{name}", (request) => {
      if (!web.delete(siteOf(web, request).name)) throw new CloudError(404, "NotFound", `No site named ${request.params.name}.`);
      return { status: 204 };
    }),
    route("GET", "/sites/{name}/env", async (request) => {
      const site = await web.settled(siteOf(web, request));
      const reveal = request.query.get("reveal") === "true";
      return {
        body: {
          site: site.name,
          readAt: new Date(web.kv.clock.nowMs()).toISOString(),
          settings: environment(site, (ref) => web.expiresAtMs(site, ref), reveal),
        },
      };
    }),
  ];
}
