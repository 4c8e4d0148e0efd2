/**
 * @module The credential kvguard acts with: a development identity locally, the app's identity in Azure
 * (`@azure/identity`, imported only then: it is a large part of a cold start).
 */
import type { TokenCredential } from "@azure/core-auth";
import type { IdentityConfig } from "../config/schema.js";
import { DevTokenCredential } from "./devCredential.js";

export async function credentialFor(identity: IdentityConfig): Promise<TokenCredential> {
  if (identity.kind === "dev") return new DevTokenCredential({ name: identity.name });
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential(identity.managedIdentityClientId ? { managedIdentityClientId: identity.managedIdentityClientId } : {});
}
