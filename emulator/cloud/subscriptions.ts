/**
 * @module The tenant's subscriptions on the local cloud (`GET /subscriptions`, as `@azure/arm-resources-subscriptions`
 * lists them): the local subscription, every subscription a vault is in, and those the emulator's
 * `azureSubscriptions` option declares. A caller sees a subscription where it holds a role there; only
 * Reader (or Contributor) lets it list the subscription's vaults, so a subscription held with another role
 * (a cost reader's) is listed and its vaults refused with ARM's 403, as in Azure.
 */
import type { Identity } from "../auth/identity.js";
import { LOCAL_SUBSCRIPTION_ID, LOCAL_TENANT_ID, type LocalKeyVault } from "../localKeyVault.js";
import { authorizationFailed, requireApiVersion } from "./armScope.js";
import { CloudError, type CloudRequest, type CloudResponse, type CloudRoute } from "./host.js";

/** Who holds which role on a subscription; "Cost Management Reader" sees it but cannot read its resources. */
export interface SubscriptionAccess {
  principalId: string;
  role: "Reader" | "Contributor" | "Cost Management Reader";
}

export interface LocalSubscription {
  subscriptionId: string;
  displayName?: string;
  /** Enabled (default), Warned, PastDue, Disabled or Deleted. */
  state?: string;
  /** Absent or empty: every caller reads it (the emulator's open default). */
  access?: SubscriptionAccess[];
}

/** Small on purpose, so every listing of a few subscriptions goes through the SDK's nextLink paging. */
const PAGE_SIZE = 2;

function allSubscriptions(kv: LocalKeyVault): (LocalSubscription & { displayName: string; state: string })[] {
  const declared = kv.options.azureSubscriptions ?? [];
  const ids = [LOCAL_SUBSCRIPTION_ID, ...[...kv.vaults.values()].map((v) => v.settings.subscriptionId), ...declared.map((s) => s.subscriptionId)];
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  return unique.map((id) => {
    const given = declared.find((s) => s.subscriptionId.toLowerCase() === id);
    return {
      subscriptionId: id,
      displayName: given?.displayName ?? (id === LOCAL_SUBSCRIPTION_ID ? "kvguard local" : `subscription ${id.slice(0, 8)}`),
      state: given?.state ?? "Enabled",
      ...(given?.access ? { access: given.access } : {}),
    };
  });
}

function holds(access: SubscriptionAccess[] | undefined, identity: Identity | undefined, canRead: boolean): boolean {
  if (!access?.length) return true;
  return access.some((a) => a.principalId === identity?.oid && (!canRead || a.role !== "Cost Management Reader"));
}

/** Throws ARM's 403 when the caller may not read resources at the subscription's scope (declared subscriptions only). */
export function requireSubscriptionRead(kv: LocalKeyVault, request: CloudRequest, action: string): void {
  const id = request.params.subscriptionId!.toLowerCase();
  const subscription = (kv.options.azureSubscriptions ?? []).find((s) => s.subscriptionId.toLowerCase() === id);
  if (subscription && !holds(subscription.access, request.identity, true)) throw authorizationFailed(request.identity, action, `/subscriptions/${id}`);
}

function listSubscriptions(kv: LocalKeyVault, request: CloudRequest): CloudResponse {
  requireApiVersion(request);
  const visible = allSubscriptions(kv).filter((s) => holds(s.access, request.identity, false));
  const skip = Number(request.query.get("$skiptoken") ?? "0");
  if (!Number.isInteger(skip) || skip < 0) throw new CloudError(400, "InvalidSkipToken", "The skip token is not valid.");
  const page = visible.slice(skip, skip + PAGE_SIZE).map((s) => ({
    id: `/subscriptions/${s.subscriptionId}`,
    subscriptionId: s.subscriptionId,
    tenantId: LOCAL_TENANT_ID,
    displayName: s.displayName,
    state: s.state,
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
    authorizationSource: "RoleBased",
  }));
  const next = skip + PAGE_SIZE;
  const nextLink =
    next < visible.length
      ? `${request.baseUrl}/subscriptions?api-version=${encodeURIComponent(request.query.get("api-version")!)}&$skiptoken=${next}`
      : undefined;
  return { body: { value: page, ...(nextLink ? { nextLink } : {}) } };
}

export function subscriptionRoutes(kv: LocalKeyVault): CloudRoute[] {
  return [{ api: "arm", method: "GET", path: "/subscriptions", handle: (request) => listSubscriptions(kv, request) }];
}
