/**
 * @module How a local site resolves its Key Vault references: through the local Key Vault like any client
 * (the real `SecretClient`, as the site's managed identity), so the vault's RBAC applies and each read is in
 * its audit log under the site's identity. A failure leaves the reference unresolved with App Service's
 * status for it; the app then reads the reference text itself, as App Service documents.
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { SecretClient } from "@azure/keyvault-secrets";
import type { LocalKeyVault } from "../../localKeyVault.js";
import { unsignedJwt } from "../entra/loginRoutes.js";
import { parseSetting, referenceVaultLabel, type KeyVaultReference } from "./reference.js";
import { referenceIdentity, SITE_TENANT_ID, type ResolvedReference, type Site } from "./site.js";

const TOKEN_LIFETIME_SECONDS = 3600;

/** A managed identity's token: what App Service's platform gets from the identity endpoint, unsigned. */
class ManagedIdentityCredential implements TokenCredential {
  constructor(readonly identity: { principalId: string; clientId: string; resourceId: string }) {}

  getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0]! : scopes;
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedJwt({
      aud: scope.replace(/\/\.default$/, ""),
      iss: `https://sts.windows.net/${SITE_TENANT_ID}/`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      oid: this.identity.principalId,
      sub: this.identity.principalId,
      tid: SITE_TENANT_ID,
      appid: this.identity.clientId,
      idtyp: "app",
      xms_mirid: this.identity.resourceId,
    });
    return Promise.resolve({ token, expiresOnTimestamp: (now + TOKEN_LIFETIME_SECONDS) * 1000 });
  }
}

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message?: string;
}

function failed(base: Omit<ResolvedReference, "status">, status: ResolvedReference["status"], details: string): ResolvedReference {
  return { ...base, status, details };
}

export class ReferenceResolver {
  readonly #clients = new Map<string, SecretClient>();

  constructor(readonly kv: LocalKeyVault) {}

  /** Resolves one setting's reference now. */
  async resolve(site: Site, value: string): Promise<ResolvedReference> {
    const resolvedAtMs = this.kv.clock.nowMs();
    const parsed = parseSetting(value);
    if (parsed.kind === "plain") throw new Error("not a Key Vault reference");
    if (parsed.kind === "invalid") return { reference: value, status: "InvalidSyntax", details: parsed.details, resolvedAtMs };
    const ref = parsed.reference;
    const base = {
      reference: value,
      vaultName: referenceVaultLabel(ref),
      secretName: ref.secretName,
      ...(ref.secretVersion ? { secretVersion: ref.secretVersion } : {}),
      resolvedAtMs,
    };
    const identity = referenceIdentity(site);
    if (!identity) {
      return failed(
        base,
        "MSINotEnabled",
        `The site has no managed identity for Key Vault references (keyVaultReferenceIdentity: ${site.keyVaultReferenceIdentity}).`,
      );
    }
    const vaultUrl = this.#vaultUrl(ref);
    if (!vaultUrl)
      return failed(base, "VaultNotFound", `No vault of the local Key Vault matches ${"name" in ref.vault ? `the name ${ref.vault.name}` : ref.vault.origin}.`);
    try {
      const secret = await this.#client(vaultUrl, identity).getSecret(ref.secretName, ref.secretVersion ? { version: ref.secretVersion } : {});
      return { ...base, status: "Resolved", activeVersion: secret.properties.version ?? "", value: secret.value ?? "" };
    } catch (error) {
      return this.#failure(base, ref, error as RestErrorLike);
    }
  }

  #failure(base: Omit<ResolvedReference, "status">, ref: KeyVaultReference, error: RestErrorLike): ResolvedReference {
    const reason = error.message ?? "the request failed";
    if (error.statusCode === 404) return failed(base, ref.secretVersion ? "SecretVersionNotFound" : "SecretNotFound", reason);
    if (error.statusCode === 401) return failed(base, "UnauthorizedClient", reason);
    if (error.statusCode === 403 && /not authorized|ForbiddenByRbac|AccessDenied/i.test(`${error.code ?? ""} ${reason}`)) {
      return failed(base, "AccessToKeyVaultDenied", reason);
    }
    if (error.statusCode === undefined && /timed? ?out|ETIMEDOUT/i.test(reason)) return failed(base, "FetchTimedOut", reason);
    return failed(base, "OtherReasons", reason);
  }

  /** The URL of the served vault a reference names. */
  #vaultUrl(ref: KeyVaultReference): string | undefined {
    const vaults = [...this.kv.vaults.values()];
    if ("name" in ref.vault) {
      const name = ref.vault.name.toLowerCase();
      return vaults.find((v) => v.name.toLowerCase() === name)?.url;
    }
    const origin = ref.vault.origin;
    return vaults.find((v) => new URL(v.url).origin.toLowerCase() === origin)?.url;
  }

  #client(vaultUrl: string, identity: { principalId: string; clientId: string; resourceId: string }): SecretClient {
    const key = `${vaultUrl}|${identity.principalId}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = new SecretClient(vaultUrl, new ManagedIdentityCredential(identity), {
        tlsOptions: { ca: this.kv.tls.caPem },
        disableChallengeResourceVerification: true,
        retryOptions: { maxRetries: 1 },
      });
      this.#clients.set(key, client);
    }
    return client;
  }
}
