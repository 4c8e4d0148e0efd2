/**
 * @module Pushed refresh: right after a rotation's new version is live in Key Vault, the App Service and
 * Functions apps the operator declared for the secret (policy file `appService`, appServiceRules.ts) are asked
 * through ARM to fetch their Key Vault references again, so they serve the new value in seconds instead of
 * after their reference cache expires (up to 24 hours). Tags are never read here: a vault writer cannot make
 * kvguard touch an app.
 *
 * One refresh per rotation and site: each is a history row (`refresh`, naming the site). A rerun that finds
 * the rotation finished by a run that stopped before closing it refreshes only the sites without an `ok` row
 * for that rotation; a second refresh would do no harm anyway (the site fetches the same latest version). A
 * refresh that fails is recorded and alerted; the rotation stays a success (the app still gets the new value
 * when its cache expires).
 */
import { randomUUID } from "node:crypto";
import type { Alert } from "../alerts/alert.js";
import type { AppServiceArm } from "../azure/appServiceArm.js";
import type { Clock } from "../common/clock.js";
import { ensureError } from "../common/errors.js";
import { scrubSecrets } from "../config/redact.js";
import type { VaultTarget } from "../config/vaultUrl.js";
import { declaredFor, parseGroupId, parseSiteId, referencesSecret } from "./appServiceRules.js";
import type { History, HistoryRow } from "./history.js";
import type { PolicyFile } from "./policyFile.js";

/** A rotation whose new version Key Vault now serves. */
export interface FinishedRotation {
  vault: VaultTarget;
  name: string;
  rotationId: string;
  version: string;
  trigger: string;
  /** A rerun closing a rotation that a stopped run finished: sites already refreshed for it are skipped. */
  resumed: boolean;
}

export interface AppRefreshDeps {
  /** The App Service management client, built once by the app on first use. */
  arm(): Promise<AppServiceArm>;
  /** The operator's policy file as it is now (its `appService` section). */
  policyFile(): Promise<PolicyFile>;
  history: History;
  clock: Clock;
  log(line: string): void;
  /** Where a failed refresh is alerted (the app's alerting; absent when alerting is off). */
  alert?: (alerts: readonly Alert[]) => Promise<unknown>;
}

const REFRESHED = "refreshed the Key Vault references of App Service site ";

/** The hook the engine calls after finish; it never throws. */
export function appRefresher(deps: AppRefreshDeps): (finished: FinishedRotation) => Promise<void> {
  return async (finished) => {
    try {
      const declared = declaredFor((await deps.policyFile()).appService ?? [], finished.vault.name, finished.name);
      if (declared.sites.length + declared.resourceGroups.length === 0) return;
      await refreshDeclared(deps, finished, declared);
    } catch (error) {
      deps.log(`${finished.vault.name}/${finished.name}: refreshing App Service apps failed: ${ensureError(error).message}`);
    }
  };
}

async function refreshDeclared(deps: AppRefreshDeps, finished: FinishedRotation, declared: { sites: string[]; resourceGroups: string[] }): Promise<void> {
  const where = `${finished.vault.name}/${finished.name}`;
  const record = (outcome: HistoryRow["outcome"], message: string, target?: string) =>
    deps.history.record({
      vault: finished.vault.name,
      name: finished.name,
      rotationId: finished.rotationId,
      step: "refresh",
      outcome,
      trigger: finished.trigger,
      message,
      at: new Date(deps.clock.nowMs()).toISOString(),
      version: finished.version,
      ...(target ? { target } : {}),
    });
  const failed = async (what: string, id: string, error: unknown) => {
    const message = scrubSecrets(ensureError(error).message, {});
    await record("failed", `${what} ${id} failed: ${message}`);
    deps.log(`${where}: ${what} ${id} failed: ${message}`);
    await deps.alert?.([refreshAlert(finished, id, `${what} failed: ${message}`, deps.clock)]);
  };

  const arm = await deps.arm();
  const sites = new Map(declared.sites.map((id) => [id.toLowerCase(), id]));
  for (const group of declared.resourceGroups) {
    try {
      const { subscriptionId, resourceGroup } = parseGroupId(group);
      for (const id of await arm.sites(subscriptionId, resourceGroup)) {
        if (sites.has(id.toLowerCase())) continue;
        const refs = await arm.references(parseSiteId(id)).catch(async (error: unknown) => {
          await failed("reading the Key Vault references of App Service site", id, error);
          return [];
        });
        if (refs.some((ref) => referencesSecret(ref, finished.vault, finished.name))) sites.set(id.toLowerCase(), id);
      }
    } catch (error) {
      await failed("listing the App Service sites of resource group", group, error);
    }
  }

  const done = finished.resumed ? await refreshedBefore(deps.history, finished) : new Set<string>();
  await Promise.all(
    [...sites.values()]
      .filter((id) => !done.has(id.toLowerCase()))
      .map(async (id) => {
        try {
          await arm.refresh(parseSiteId(id));
        } catch (error) {
          await failed("the Key Vault reference refresh of App Service site", id, error);
          return;
        }
        await record("ok", `${REFRESHED}${id}`, id);
        deps.log(`${where}: ${REFRESHED}${id}`);
      }),
  );
}

/** Sites this rotation already refreshed (lowercased ids), from its history. */
async function refreshedBefore(history: History, finished: FinishedRotation): Promise<Set<string>> {
  const rows = await history.list({ vault: finished.vault.name, name: finished.name });
  return new Set(
    rows.filter((r) => r.step === "refresh" && r.outcome === "ok" && r.rotationId === finished.rotationId && r.target).map((r) => r.target!.toLowerCase()),
  );
}

function refreshAlert(finished: FinishedRotation, site: string, problem: string, clock: Clock): Alert {
  const where = `${finished.vault.name}/${finished.name}`;
  const siteName = site.split("/").pop() ?? site;
  return {
    id: randomUUID(),
    kind: "rotation-failed",
    severity: "medium",
    dedupKey: `app-refresh|${where}|${site}`.toLowerCase(),
    title: `App Service site ${siteName} was not refreshed after the rotation of ${where}`,
    vault: finished.vault.name,
    object: { type: "secret", name: finished.name },
    at: new Date(clock.nowMs()).toISOString(),
    explanation: `The rotation succeeded (version ${finished.version} is live, rotation ${finished.rotationId}), but ${problem}. The app keeps the previous value until its Key Vault reference cache expires (up to 24 hours) or it restarts; the previous credential is revoked after the grace period. Grant kvguard's identity Website Contributor on the site, or refresh it by hand.`,
  };
}
