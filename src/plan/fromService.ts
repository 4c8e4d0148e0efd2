/** @module What a plan reads, from the rotation service: its vaults, statuses, policies and clock, and a certificate client per vault. */
import { CertificateClient } from "@azure/keyvault-certificates";
import { credentialFor } from "../azure/credential.js";
import { clientOptions } from "../azure/keyVaultClients.js";
import type { RotationService } from "../rotation/service.js";
import type { PlanSources } from "./plan.js";

export async function planSourcesOf(service: RotationService): Promise<PlanSources> {
  const { config } = service;
  const credential = credentialFor(config.identity);
  return {
    vaults: service.vaults.values(),
    status: service.status,
    policyFile: await service.policy.current(),
    limits: { minRotationSeconds: config.rotation.minRotationSeconds },
    hmacSecretName: config.rotation.hmacSecretName,
    nowMs: service.clock.nowMs(),
    certificates: (vault) =>
      new CertificateClient(
        vault.target.url,
        credential,
        clientOptions({ vaultUrl: vault.target.url, credential, ...(config.local ? { ca: config.local.caPem } : {}) }),
      ),
  };
}
