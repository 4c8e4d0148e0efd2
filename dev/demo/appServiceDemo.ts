/**
 * @module The App Service part of `npm start`: two sites of the local cloud whose app setting `API_TOKEN` is a
 * Key Vault reference to the demo secret `api-token`. The operator's policy file declares `billing-api`
 * (`appService`), so kvguard refreshes it right after each rotation; `reporting-app` is not declared and keeps
 * serving its cached version until the cache expires (24 hours of vault time). A watcher says which version
 * each app reads whenever that changes (never a value).
 */
import { siteId, type LocalWebApps } from "../../emulator/cloud/web/index.js";
import type { LocalKeyVault } from "../../emulator/index.js";
import { ensureError } from "../../src/common/errors.js";

export const APP_SERVICE_DEMO = { secret: "api-token", declared: "billing-api", undeclared: "reporting-app", setting: "API_TOKEN" } as const;

/** The policy-file section that declares the refreshed site (the operator's, never a tag's). */
export function appServiceDemoPolicy(vault: string): Record<string, unknown>[] {
  return [{ match: { vault, name: APP_SERVICE_DEMO.secret }, sites: [siteId(APP_SERVICE_DEMO.declared)] }];
}

export interface AppServiceDemoOptions {
  kv: LocalKeyVault;
  web: LocalWebApps;
  vault: string;
  write(line: string): void;
  /** How often the watcher looks at what each app reads (default 1 s). */
  pollMs?: number;
}

export async function startAppServiceDemo(options: AppServiceDemoOptions): Promise<{ stop(): Promise<void> }> {
  const { web } = options;
  const reference = `@Microsoft.KeyVault(VaultName=${options.vault};SecretName=${APP_SERVICE_DEMO.secret})`;
  const sites = [APP_SERVICE_DEMO.declared, APP_SERVICE_DEMO.undeclared];
  for (const name of sites) {
    const existing = web.store.get(name);
    if (!existing) await web.create({ name, appSettings: { [APP_SERVICE_DEMO.setting]: reference } });
    else if (existing.appSettings[APP_SERVICE_DEMO.setting] !== reference)
      await web.update(existing, { appSettings: { [APP_SERVICE_DEMO.setting]: reference } });
  }
  // Each site's identity may read api-token, as an app team's would (Key Vault Secrets User on that secret).
  const vault = options.kv.vaults.get(options.vault.toLowerCase());
  if (vault && vault.roleAssignments.length > 0) {
    const scope = `/secrets/${APP_SERVICE_DEMO.secret}`;
    const missing = sites
      .map((name) => web.store.get(name)!.principalId)
      .filter((principalId) => !vault.roleAssignments.some((a) => a.principalId === principalId && a.scope === scope));
    if (missing.length) {
      options.kv.setRoleAssignments(vault, [
        ...vault.roleAssignments,
        ...missing.map((principalId) => ({ principalId, role: "Key Vault Secrets User" as const, scope })),
      ]);
      for (const name of sites) await web.refresh(web.store.get(name)!);
    }
  }
  options.write(
    `app service demo: sites ${sites.join(" and ")} read ${APP_SERVICE_DEMO.secret} through a Key Vault reference; the policy file declares ${APP_SERVICE_DEMO.declared}, so kvguard refreshes it after each rotation`,
  );

  const seen = new Map<string, string>();
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      for (const name of sites) {
        const site = web.store.get(name);
        if (!site) continue;
        const ref = (await web.settled(site)).references[APP_SERVICE_DEMO.setting];
        const version = ref?.status === "Resolved" && ref.activeVersion ? ref.activeVersion : `unresolved: ${ref?.status ?? "no reference"}`;
        const before = seen.get(name);
        if (version === before) continue;
        seen.set(name, version);
        const why =
          before === undefined ? "" : name === APP_SERVICE_DEMO.declared ? " (refreshed by kvguard right after the rotation)" : " (its cache expired)";
        options.write(
          `app service demo: ${name} reads ${version.startsWith("unresolved") ? version : `version ${version.slice(0, 8)}`} of ${APP_SERVICE_DEMO.secret}${before ? `, was ${before.slice(0, 8)}` : ""}${why}`,
        );
      }
    } catch (error) {
      options.write(`app service demo: could not read the sites: ${ensureError(error).message}`);
    } finally {
      checking = false;
    }
  };
  await check();
  const timer = setInterval(() => void check(), options.pollMs ?? 1_000);
  return {
    async stop() {
      clearInterval(timer);
      while (checking) await new Promise((r) => setTimeout(r, 50));
      await check();
    },
  };
}
