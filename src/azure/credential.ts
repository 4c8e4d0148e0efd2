/** @module The credential kvguard acts with: a development identity locally, the app's identity in Azure. */
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import type { IdentityConfig } from "../config/schema.js";
import { DevTokenCredential } from "./devCredential.js";

export function credentialFor(identity: IdentityConfig): TokenCredential {
  if (identity.kind === "dev") return new DevTokenCredential({ name: identity.name });
  return new DefaultAzureCredential(identity.managedIdentityClientId ? { managedIdentityClientId: identity.managedIdentityClientId } : {});
}
