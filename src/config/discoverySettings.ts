/**
 * @module Vault discovery's setting: the tag that marks a vault for kvguard. With it, kvguard also guards
 * every vault ARM lists with the tag, beside KVGUARD_VAULT_URLS (which it makes optional), in
 * KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS when that is set, else in every subscription kvguard's identity can read.
 */
import { z } from "zod";
import { docs } from "./docs.js";

/** A tag a discovered vault must carry: its name, and its value unless any value will do. */
export interface DiscoveryTag {
  name: string;
  value?: string;
}

export const discoveryShape = {
  KVGUARD_DISCOVERY_TAG: z
    .string()
    .transform((raw, ctx): DiscoveryTag => {
      const eq = raw.indexOf("=");
      const name = (eq < 0 ? raw : raw.slice(0, eq)).trim();
      if (!name || name.length > 512 || /[<>%&\\?/]/.test(name)) {
        ctx.addIssue({
          code: "custom",
          message: `"${raw}" does not start with a tag name Azure allows. Set it to NAME or NAME=VALUE, such as kvguard=managed`,
        });
      }
      return eq < 0 ? { name } : { name, value: raw.slice(eq + 1).trim() };
    })
    .optional()
    .register(docs, {
      description:
        "Vault discovery: kvguard also guards each vault ARM lists with this tag (NAME: any value; NAME=VALUE: that value; the name case-insensitive), beside KVGUARD_VAULT_URLS, which becomes optional; searched in KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS when set, else in every subscription kvguard's identity can read; `kvguard doctor` names discovered vaults without the event subscription or the audit diagnostic setting.",
      default: "no discovery: only KVGUARD_VAULT_URLS",
      example: "kvguard=managed",
    }),
};

export type DiscoverySettings = z.output<z.ZodObject<typeof discoveryShape>> & { KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS?: string[] | undefined };

export interface DiscoveryConfig {
  tag: DiscoveryTag;
  /** The subscriptions searched as set; absent: every subscription the identity can read (listed through ARM). */
  subscriptionIds?: string[];
}

export function discoveryConfig(settings: DiscoverySettings): DiscoveryConfig | undefined {
  if (!settings.KVGUARD_DISCOVERY_TAG) return undefined;
  const ids = settings.KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS;
  return { tag: settings.KVGUARD_DISCOVERY_TAG, ...(ids?.length ? { subscriptionIds: ids } : {}) };
}
