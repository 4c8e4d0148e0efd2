/**
 * @module Options for the management-plane SDK clients (`@azure/arm-*`): the ARM endpoint and its token
 * scope, and, against the local stack, trust in the local CA. Every ARM client is made with these, so a
 * sovereign cloud or the local cloud is one setting away.
 */
import type { CommonClientOptions } from "@azure/core-client";
import type { CloudConfig } from "../config/cloudSettings.js";

export interface ArmClientOptions extends CommonClientOptions {
  endpoint: string;
  credentialScopes: string[];
}

/** The token scope of the public ARM resource, which the local cloud accepts too. */
const ARM_SCOPE = "https://management.azure.com/.default";

/**
 * @param cloud - the cloud's endpoints
 * @param ca - the local cloud's CA (PEM); absent against Azure
 */
export function armClientOptions(cloud: CloudConfig, ca?: string): ArmClientOptions {
  return { endpoint: cloud.armEndpoint, credentialScopes: [ARM_SCOPE], ...(ca ? { tlsOptions: { ca } } : {}) };
}
