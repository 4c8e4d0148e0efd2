/**
 * @module What the `entra-app-secret` rotator needs from the settings: the Graph endpoint, the Entra
 * authority, the local CA when the stack is local, and kvguard's own credential for Graph. Rotators get no
 * settings from the engine, so this reads them from the app settings (process.env, as the Functions host,
 * the CLI and `npm start` set them), once per distinct set of values.
 */
import type { TokenCredential } from "@azure/core-auth";
import { credentialFor } from "../../azure/credential.js";
import { formatProblem, loadConfig, SETTING_NAMES } from "../../config/schema.js";

export interface EntraRuntime {
  graphEndpoint: string;
  authorityHost: string;
  /** The local cloud's CA (PEM); absent against Azure. */
  ca?: string;
  /** kvguard's identity, which calls Graph. */
  credential: TokenCredential;
  /** KVGUARD_ENTRA_TENANT_ID: the only tenant the rotator works in (default: the tenant of kvguard's token). */
  tenantId?: string;
}

/** The settings this rotator reads; a change in any of them makes a new runtime. */
const KEYS = ["KVGUARD_GRAPH_ENDPOINT", "KVGUARD_AUTHORITY_HOST", "KVGUARD_LOCAL_CA_FILE", "KVGUARD_LOCAL_IDENTITY", "AZURE_CLIENT_ID", "KVGUARD_ENTRA_TENANT_ID"] as const;

let cached: { key: string; runtime: EntraRuntime } | undefined;

export function runtimeFromSettings(env: Readonly<Record<string, string | undefined>> = process.env): EntraRuntime {
  const key = KEYS.map((k) => env[k] ?? "").join("\n");
  if (cached?.key === key) return cached.runtime;
  // Names the schema does not know are the config check's business (and the crash tests' hook), not a reason to stop here.
  const known = new Set<string>(SETTING_NAMES);
  const loaded = loadConfig(Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("KVGUARD_") || known.has(name))));
  if (!loaded.ok) throw new Error(`the settings are invalid, so Microsoft Graph cannot be reached: ${loaded.problems.map(formatProblem).join("; ")}`);
  const { config } = loaded;
  const runtime: EntraRuntime = {
    graphEndpoint: config.cloud.graphEndpoint,
    authorityHost: config.cloud.authorityHost,
    ...(config.local ? { ca: config.local.caPem } : {}),
    credential: credentialFor(config.identity),
    ...(config.rotation.entraTenantId ? { tenantId: config.rotation.entraTenantId } : {}),
  };
  cached = { key, runtime };
  return runtime;
}
