/**
 * @module `kvguard doctor`'s checks in order: the settings, the identity kvguard acts as, each vault (and
 * whether ARM shows it, for compliance), the state storage account, the audit sources when configured, and (when asked) a test alert to every
 * channel. Everything runs with the settings and credential the functions use, so against a deployed
 * environment it checks what the app would meet, and against the local stack what `npm start` runs.
 */
import type { TokenCredential } from "@azure/core-auth";
import { ensureError } from "../common/errors.js";
import { createApp } from "../app/index.js";
import type { ConfigProblem, KvguardConfig } from "../config/schema.js";
import { auditChecks } from "./auditChecks.js";
import { skipped, type CheckResult } from "./check.js";
import { complianceChecks } from "./complianceChecks.js";
import { discoveryChecks } from "./discoveryChecks.js";
import { stateChecks } from "./stateChecks.js";
import { vaultChecks } from "./vaultChecks.js";

export interface DoctorOptions {
  /** Deadline of each check (default 30 s). */
  timeoutMs?: number;
  sendTestAlert?: boolean;
}

/** A settings problem as a check: what is wrong, and the message's own instruction as the fix. */
function settingCheck(problem: ConfigProblem): CheckResult {
  const split = /^(.*?[.;:?])\s+((?:Set|Use|Remove|Rename|Keep|List|Add|Write|Define)\b.*)$/s.exec(problem.message);
  return {
    name: `setting ${problem.setting}`,
    status: "failed",
    detail: split ? split[1]! : problem.message,
    fix: split ? split[2]! : `change ${problem.setting} (npx kvguard config check shows every problem)`,
  };
}

function describeConfig(config: KvguardConfig): string {
  const storage =
    config.storage.kind === "identity"
      ? `account ${config.storage.accountName} by identity`
      : config.storage.kind === "developmentStorage"
        ? "Azurite"
        : "a connection string";
  const audit = [config.audit.workspaceIds.length ? `${config.audit.workspaceIds.length} workspace(s)` : "", config.audit.archive ? "a storage archive" : ""]
    .filter(Boolean)
    .join(" and ");
  return `${config.vaults.length} vault(s); state storage: ${storage}; audit from ${audit || "no source"}; alerting ${config.alerts.rules ? "on" : "off"}`;
}

/** Claims of the token kvguard gets for Key Vault (read, never printed or kept). */
async function whoAmI(credential: TokenCredential): Promise<{ oid?: string; appid?: string; upn?: string }> {
  const token = await credential.getToken("https://vault.azure.net/.default");
  if (!token) throw new Error("the credential returned no token");
  const payload = token.token.split(".")[1] ?? "";
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { oid?: string; appid?: string; upn?: string };
  } catch {
    return {};
  }
}

/**
 * Runs every check.
 * @param env - the settings (the environment, or a deployed app's settings)
 * @param options - deadline per check, whether to send a test alert
 */
export async function runDoctor(env: Readonly<Record<string, string | undefined>>, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const app = createApp(env);
  const loaded = await app.settings();
  if (!loaded.ok) {
    return [...loaded.problems.map(settingCheck), skipped("other checks", "not run: they need the settings above fixed first")];
  }
  const { config } = loaded;
  const results: CheckResult[] = [{ name: "settings", status: "ok", detail: describeConfig(config) }];

  const credential = await app.credential();
  let principalId: string | undefined;
  let hasToken = true;
  try {
    const claims = await whoAmI(credential);
    principalId = claims.oid;
    const who = [claims.oid && `oid=${claims.oid}`, claims.appid && `appid=${claims.appid}`, claims.upn && `upn=${claims.upn}`].filter(Boolean).join(" ");
    results.push({
      name: "identity",
      status: "ok",
      detail: `acting as ${who || "an identity without oid"}${config.identity.kind === "dev" ? ` (development identity ${config.identity.name})` : ""}`,
    });
  } catch (error) {
    hasToken = false;
    results.push({
      name: "identity",
      status: "failed",
      detail: `no token for Key Vault: ${ensureError(error).message.split("\n")[0]}`,
      fix: "in Azure, give the Function App a managed identity (the Bicep does; AZURE_CLIENT_ID names a user-assigned one); on a workstation, run az login",
    });
    results.push(...config.vaults.map((v) => skipped(`vault ${v.name}`, "not tried: no token")));
  }

  if (hasToken) {
    const perVault = await Promise.all(
      config.vaults.map((vault) =>
        vaultChecks(vault, { credential, timeoutMs, ...(config.local ? { ca: config.local.caPem } : {}), ...(principalId ? { principalId } : {}) }),
      ),
    );
    results.push(...perVault.flat());
    results.push(...(await complianceChecks(config, credential, timeoutMs, principalId)));
    results.push(...(await discoveryChecks(config, credential, timeoutMs)));
  }
  results.push(...(await stateChecks(env, config, credential, timeoutMs)));
  results.push(...(await auditChecks(env, config, credential, timeoutMs)));
  // Alert sinks (mail, Teams, ACS clients) load only when a test alert is asked for.
  if (options.sendTestAlert) results.push(...(await (await import("./alertChecks.js")).alertChecks(app, timeoutMs)));
  else if (config.alerts.rules) results.push(skipped("alerts", "no test alert sent (--send-test-alert sends one to every channel)"));
  return results;
}
