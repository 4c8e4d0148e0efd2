/** @module Whether a client secret gets a token from the local stack's Entra ID, through the real `ClientSecretCredential`. */
import { ClientSecretCredential } from "@azure/identity";
import { LOCAL_ENTRA_TENANT } from "../../emulator/cloud/entra/index.js";
import type { LocalStack } from "./localStack.js";

export async function secretWorks(stack: LocalStack, appId: string, secret: string): Promise<boolean> {
  const credential = new ClientSecretCredential(LOCAL_ENTRA_TENANT, appId, secret, {
    authorityHost: stack.cloud.url,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: stack.tv.kv.tls.caPem },
  });
  return credential.getToken("https://graph.microsoft.com/.default").then(
    () => true,
    () => false,
  );
}
