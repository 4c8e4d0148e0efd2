/**
 * @module Every detector, one per file (`<tactic>_<subject>.ts`). Adding a detector is adding a file and
 * one line here; the registry test checks ids, file names and metadata.
 */
import type { Detector } from "./detector.js";
import { detector as collectionCanarySecret } from "./collection_canary_secret.js";
import { detector as credentialAccessListThenGet } from "./credential_access_list_then_get.js";
import { detector as credentialAccessNewObjectCreep } from "./credential_access_new_object_creep.js";
import { detector as credentialAccessMassRetrieval } from "./credential_access_mass_retrieval.js";
import { detector as credentialAccessStaleVersionRead } from "./credential_access_stale_version_read.js";
import { detector as credentialAccessThreatIntelIp } from "./credential_access_threat_intel_ip.js";
import { detector as credentialAccessVolumeSpike } from "./credential_access_volume_spike.js";
import { detector as defenseEvasionAuditGap } from "./defense_evasion_audit_gap.js";
import { detector as defenseEvasionHardeningWeakened } from "./defense_evasion_hardening_weakened.js";
import { detector as discoveryDeniedAccess } from "./discovery_denied_access.js";
import { detector as discoveryUnusualOperation } from "./discovery_unusual_operation.js";
import { detector as discoveryVaultFanOut } from "./discovery_vault_fan_out.js";
import { detector as executionAttackTool } from "./execution_attack_tool.js";
import { detector as executionUnusualClient } from "./execution_unusual_client.js";
import { detector as impactCryptoVolume } from "./impact_crypto_volume.js";
import { detector as impactDestructiveOperation } from "./impact_destructive_operation.js";
import { detector as impactKeyMaterial } from "./impact_key_material.js";
import { detector as impactRecoverRestore } from "./impact_recover_restore.js";
import { detector as impactSecretChurn } from "./impact_secret_churn.js";
import { detector as initialAccessFirstSeenPrincipal } from "./initial_access_first_seen_principal.js";
import { detector as initialAccessOffHours } from "./initial_access_off_hours.js";
import { detector as initialAccessOutsideAllowedNetworks } from "./initial_access_outside_allowed_networks.js";
import { detector as initialAccessUnusualNetwork } from "./initial_access_unusual_network.js";
import { detector as persistenceTransientGrant } from "./persistence_transient_grant.js";
import { detector as persistenceUnusedSecret } from "./persistence_unused_secret.js";
import { detector as privilegeEscalationPolicyChangeThenRead } from "./privilege_escalation_policy_change_then_read.js";

/** In detection.md order (rows 1-19), then kvguard's own. */
export const detectors: readonly Detector[] = [
  impactDestructiveOperation,
  impactRecoverRestore,
  credentialAccessMassRetrieval,
  credentialAccessVolumeSpike,
  credentialAccessListThenGet,
  privilegeEscalationPolicyChangeThenRead,
  persistenceTransientGrant,
  initialAccessFirstSeenPrincipal,
  discoveryVaultFanOut,
  discoveryDeniedAccess,
  credentialAccessThreatIntelIp,
  initialAccessUnusualNetwork,
  discoveryUnusualOperation,
  executionUnusualClient,
  executionAttackTool,
  defenseEvasionHardeningWeakened,
  impactKeyMaterial,
  impactCryptoVolume,
  collectionCanarySecret,
  defenseEvasionAuditGap,
  initialAccessOffHours,
  impactSecretChurn,
  credentialAccessStaleVersionRead,
  initialAccessOutsideAllowedNetworks,
  credentialAccessNewObjectCreep,
  persistenceUnusedSecret,
];

export function detectorById(id: string): Detector | undefined {
  return detectors.find((d) => d.id === id);
}
