/**
 * @module Where the management-plane APIs are: Azure Resource Manager, Microsoft Graph and the Entra ID
 * authority. Azure's public cloud by default; the local stack points all three at its local cloud (and
 * KVGUARD_LOCAL_CA_FILE makes clients trust it), sovereign clouds at theirs.
 */
import { z } from "zod";
import { docs } from "./docs.js";

const endpoint = (example: string) =>
  z
    .url({ protocol: /^https$/, error: () => `is not an https URL. Set it to a URL such as ${example}` })
    .transform((url) => url.replace(/\/+$/, ""))
    .default(example);

export const cloudShape = {
  KVGUARD_ARM_ENDPOINT: endpoint("https://management.azure.com").register(docs, {
    description: "Azure Resource Manager, for vault properties, storage account keys and diagnostic settings.",
  }),
  KVGUARD_GRAPH_ENDPOINT: endpoint("https://graph.microsoft.com").register(docs, {
    description: "Microsoft Graph, for Entra ID application client secrets.",
  }),
  KVGUARD_AUTHORITY_HOST: endpoint("https://login.microsoftonline.com").register(docs, {
    description: "The Entra ID authority that issues tokens, used to prove a new client secret works.",
  }),
};

export type CloudSettings = z.output<z.ZodObject<typeof cloudShape>>;

export interface CloudConfig {
  armEndpoint: string;
  graphEndpoint: string;
  authorityHost: string;
}

export function cloudConfig(settings: CloudSettings): CloudConfig {
  return {
    armEndpoint: settings.KVGUARD_ARM_ENDPOINT,
    graphEndpoint: settings.KVGUARD_GRAPH_ENDPOINT,
    authorityHost: settings.KVGUARD_AUTHORITY_HOST,
  };
}
