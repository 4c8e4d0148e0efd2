/**
 * @module Options for the management-plane SDK clients (`@azure/arm-*`): the ARM endpoint and its token
 * scope, and, against the local stack, trust in the local CA. Every ARM client is made with these, so a
 * sovereign cloud or the local cloud is one setting away.
 */
import type { CommonClientOptions } from "@azure/core-client";
import type { KvguardConfig } from "../config/schema.js";

export interface ArmClientOptions extends CommonClientOptions {
  endpoint: string;
  credentialScopes: string[];
}

/** The token scope of the public ARM resource, which the local cloud accepts too. */
const ARM_SCOPE = "https://management.azure.com/.default";

export function armClientOptions(config: Pick<KvguardConfig, "cloud" | "local">): ArmClientOptions {
  return {
    endpoint: config.cloud.armEndpoint,
    credentialScopes: [ARM_SCOPE],
    ...(config.local ? { tlsOptions: { ca: config.local.caPem } } : {}),
  };
}
