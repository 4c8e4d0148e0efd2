/**
 * @module What the `entra-app-secret` rotator needs from the app's runtime: the Graph endpoint, the Entra
 * authority, the local CA when the stack is local, and kvguard's own credential for Graph.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { RotatorRuntime } from "../types.js";

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

export function entraRuntime(runtime: RotatorRuntime): EntraRuntime {
  const { cloud, credential, ca, entraTenantId } = runtime;
  return {
    graphEndpoint: cloud.graphEndpoint,
    authorityHost: cloud.authorityHost,
    credential,
    ...(ca ? { ca } : {}),
    ...(entraTenantId ? { tenantId: entraTenantId } : {}),
  };
}
