/**
 * @module The Entra ID endpoints a confidential client (MSAL, `ClientSecretCredential`) calls with its
 * authority host pointed here and instance discovery off: the tenant's OpenID configuration and the v2.0
 * token endpoint's client-credentials grant. A current client secret gets an unsigned development token for
 * the app's service principal; a wrong, removed or not-yet-propagated secret gets AADSTS7000215 and an
 * expired one AADSTS7000222, in Entra's error body (`error`, `error_description`, `error_codes`...).
 */
import { randomUUID } from "node:crypto";
import type { CloudRequest, CloudResponse, CloudRoute } from "../host.js";
import type { EntraDirectory } from "./directory.js";

const TOKEN_LIFETIME_SECONDS = 3599;

/** Entra's OAuth error body; the description starts with the AADSTS code, as Entra's does. */
function loginError(status: number, error: string, code: number, description: string): CloudResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = `${new Date().toISOString().slice(0, 19).replace("T", " ")}Z`;
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/** A JWT without a signature, as every token of the local stack is (its services read the claims only). */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT" })}.${encode(claims)}.`;
}

export function loginRoutes(directory: EntraDirectory): CloudRoute[] {
  const knownTenant = (tenant: string) => tenant.toLowerCase() === directory.tenantId;
  const tenantNotFound = (tenant: string) =>
    loginError(
      400,
      "invalid_request",
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );

  const openidConfiguration = (request: CloudRequest): CloudResponse => {
    const tenant = request.params.tenant!;
    if (!knownTenant(tenant)) return tenantNotFound(tenant);
    const base = `${request.baseUrl}/${tenant}`;
    return {
      body: {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${request.baseUrl}/${directory.tenantId}/v2.0`,
        request_uri_parameter_supported: false,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        tenant_region_scope: null,
        cloud_instance_name: "kvguard.local",
      },
    };
  };

  const token = (request: CloudRequest): CloudResponse => {
    const tenant = request.params.tenant!;
    if (!knownTenant(tenant)) return tenantNotFound(tenant);
    const form = new URLSearchParams(request.text);
    const grant = form.get("grant_type") ?? "";
    if (grant !== "client_credentials") {
      return loginError(
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${grant}'. The local Entra serves client_credentials only.`,
      );
    }
    const clientId = form.get("client_id") ?? "";
    const secret = form.get("client_secret");
    const scope = form.get("scope");
    if (!scope) return loginError(400, "invalid_request", 90014, "The required field 'scope' is missing from the credential.");
    const app = directory.byAppId(clientId);
    if (!app) {
      return loginError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${directory.tenantId}'.`,
      );
    }
    if (!secret)
      return loginError(
        401,
        "invalid_client",
        7000216,
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
      );
    const password = directory.passwordFor(app, secret);
    const now = Date.now();
    const propagated = password && now >= Date.parse(password.startDateTime) + (app.propagationSeconds ?? 0) * 1000;
    if (!password || !propagated || Date.parse(password.startDateTime) > now) {
      return loginError(
        401,
        "invalid_client",
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.appId}'.`,
      );
    }
    if (Date.parse(password.endDateTime) <= now) {
      return loginError(401, "invalid_client", 7000222, `The provided client secret keys for app '${app.appId}' are expired.`);
    }
    const seconds = Math.floor(now / 1000);
    const resource = scope.split(" ")[0]!.replace(/\/\.default$/, "");
    const accessToken = unsignedJwt({
      aud: resource,
      iss: `${request.baseUrl}/${directory.tenantId}/v2.0`,
      iat: seconds,
      nbf: seconds,
      exp: seconds + TOKEN_LIFETIME_SECONDS,
      oid: app.servicePrincipalId,
      sub: app.servicePrincipalId,
      tid: directory.tenantId,
      appid: app.appId,
      azp: app.appId,
      idtyp: "app",
      name: app.displayName,
      roles: directory.permissionsOf(app.servicePrincipalId),
    });
    return { body: { token_type: "Bearer", expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: accessToken } };
  };

  return [
    { api: "login", method: "GET", path: "/{tenant}/v2.0/.well-known/openid-configuration", handle: openidConfiguration },
    { api: "login", method: "POST", path: "/{tenant}/oauth2/v2.0/token", handle: token },
  ];
}
