/**
 * @module Proof that a client secret works: a token from the Entra authority through `ClientSecretCredential`
 * (`@azure/identity`), with the authority host of the settings and instance discovery off (so a sovereign or
 * local authority is used as is), trusting the local CA against the local cloud. A fresh credential each
 * time, so no cached token hides a removed secret. Errors never carry the secret. `@azure/identity` is imported
 * at the first check: nothing else needs it locally, and a cold start pays for every module it loads.
 */
import type { EntraRuntime } from "./runtime.js";

/** Entra's answer for a secret it does not (yet) know: after addPassword, replication can lag. */
const NOT_YET_KNOWN = /AADSTS7000215/;

function scrub(message: string, secret: string): string {
  return secret ? message.split(secret).join("[secret]") : message;
}

/** The tenant of kvguard's own token (`tid`), the default tenant of the application. */
export async function ownTenant(runtime: EntraRuntime): Promise<string> {
  const token = await runtime.credential.getToken(runtime.ca ? "https://graph.microsoft.com/.default" : `${runtime.graphEndpoint}/.default`);
  const payload = token?.token.split(".")[1];
  const tid = payload ? (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { tid?: unknown }).tid : undefined;
  if (typeof tid !== "string") throw new Error("kvguard's token names no tenant (tid): set the rotator option tenantId");
  return tid;
}

/** Acquires a token as the app with `secret`; throws a message naming the app (never the secret). */
export async function proveSecret(runtime: EntraRuntime, tenantId: string, appId: string, secret: string, scope: string): Promise<void> {
  const { ClientSecretCredential } = await import("@azure/identity");
  const credential = new ClientSecretCredential(tenantId, appId, secret, {
    authorityHost: runtime.authorityHost,
    disableInstanceDiscovery: true,
    ...(runtime.ca ? { tlsOptions: { ca: runtime.ca } } : {}),
  });
  try {
    await credential.getToken(scope);
  } catch (error) {
    const message = scrub(error instanceof Error ? error.message : String(error), secret);
    throw new SecretRefused(`no token for app ${appId} in tenant ${tenantId} with this client secret: ${message.split("\n")[0]}`, NOT_YET_KNOWN.test(message));
  }
}

export class SecretRefused extends Error {
  constructor(
    message: string,
    /** Entra said the secret is unknown, which for a new secret may be replication lag. */
    readonly unknownSecret: boolean,
  ) {
    super(message);
    this.name = "SecretRefused";
  }
}
