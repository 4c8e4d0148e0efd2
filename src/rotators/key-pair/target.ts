/**
 * @module The resource a key-pair secret's `ProviderAddress` names: its ARM resource id, checked against the
 * table's shapes segment by segment, so a wrong address is a clear error naming the shapes kvguard knows.
 * `keyPairTarget` is the one place the resolved target comes from (the trust bindings read it too).
 */
import type { RotatorContext } from "../types.js";
import type { ResolvedTarget } from "./keyPairType.js";
import { KEY_PAIR_TYPES } from "./table.js";

const PREFIX = /^\/subscriptions\/(?<subscriptionId>[^/]+)\/resourceGroups\/(?<resourceGroup>[^/]+)\/providers\/(?<rest>.+?)\/?$/i;

function shapes(): string {
  return KEY_PAIR_TYPES.map((t) => t.shape).join("; ");
}

/** Resolves a resource id to its type and parts; throws naming the expected shapes. */
export function resolveKeyPairTarget(providerAddress: string | undefined): ResolvedTarget {
  if (providerAddress === undefined || providerAddress.trim() === "") {
    throw new Error(
      `ProviderAddress is missing: the key-pair rotator needs the resource id, /subscriptions/<subscription id>/resourceGroups/<resource group>/providers/ then one of: ${shapes()}`,
    );
  }
  const id = providerAddress.trim();
  const match = PREFIX.exec(id);
  if (!match)
    throw new Error(
      `ProviderAddress "${id}" is not an ARM resource id: expected /subscriptions/<subscription id>/resourceGroups/<resource group>/providers/...`,
    );
  const { subscriptionId, resourceGroup, rest } = match.groups as Record<"subscriptionId" | "resourceGroup" | "rest", string>;
  for (const type of KEY_PAIR_TYPES) {
    const parts = type.pattern.exec(rest);
    if (parts)
      return {
        type,
        id,
        subscriptionId,
        resourceGroup,
        parts: Object.fromEntries(Object.entries(parts.groups ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
      };
  }
  throw new Error(`ProviderAddress "${id}" is not a resource the key-pair rotator knows: after providers/ expected one of: ${shapes()}`);
}

/** The target of a rotation: the resource its secret's ProviderAddress names. */
export function keyPairTarget(ctx: Pick<RotatorContext, "providerAddress">): ResolvedTarget {
  return resolveKeyPairTarget(ctx.providerAddress);
}
