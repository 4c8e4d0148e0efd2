/** @module The 401 challenge Key Vault answers a token-less request with; SDK clients start with it. */
import { KvError } from "../http/errors.js";

export function challengeError(tenantId: string): KvError {
  return new KvError(401, "Unauthorized", "AKV10000: Request is missing a Bearer, PoP, or MTLS_POP token.", undefined, {
    "WWW-Authenticate": `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`,
  });
}
