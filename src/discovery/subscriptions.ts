/**
 * @module The subscriptions discovery searches when KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS is not set: every one
 * ARM lists for kvguard's identity (`@azure/arm-resources-subscriptions`, `subscriptions.list`, which shows
 * only subscriptions the identity holds a role in). Disabled and deleted ones are named and left out: their
 * vaults cannot be rotated.
 */
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import type { TokenCredential } from "@azure/core-auth";
import type { ArmClientOptions } from "../azure/cloudClients.js";

export interface ReadableSubscriptions {
  ids: string[];
  /** A subscription left out and why. */
  skipped: string[];
}

const SEARCHED_STATES = new Set(["enabled", "warned", "pastdue"]);

export async function readableSubscriptions(credential: TokenCredential, options: ArmClientOptions): Promise<ReadableSubscriptions> {
  const client = new SubscriptionClient(credential, options);
  const out: ReadableSubscriptions = { ids: [], skipped: [] };
  for await (const s of client.subscriptions.list()) {
    // ARM's answer is only trusted to name a GUID: it becomes a path segment of every later call.
    const id = s.subscriptionId?.toLowerCase();
    if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) continue;
    if (!SEARCHED_STATES.has((s.state ?? "").toLowerCase()))
      out.skipped.push(`subscription ${id} is ${s.state ?? "in an unknown state"}; its vaults were not searched`);
    else if (!out.ids.includes(id)) out.ids.push(id);
  }
  return out;
}
