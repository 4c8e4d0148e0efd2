/** @module What a plan reads, from the rotation service: its vaults (with their certificate clients), statuses, policies and clock. */
import type { RotationService } from "../rotation/service.js";
import type { PlanSources } from "./plan.js";

export async function planSourcesOf(service: RotationService): Promise<PlanSources> {
  const { config } = service;
  return {
    vaults: service.vaults.values(),
    status: service.status,
    policyFile: await service.policy.current(),
    limits: { minRotationSeconds: config.rotation.minRotationSeconds },
    rotators: service.engine.deps.rotators,
    hmacSecretName: config.rotation.hmacSecretName,
    nowMs: service.clock.nowMs(),
    certificates: (vault) => vault.certificates,
  };
}
