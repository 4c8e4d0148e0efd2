/**
 * @module The detectors `KVGUARD_AUDIT_THRESHOLDS` may name and the thresholds each has, in the registry's
 * order. The settings own this list so they import no part of the audit pipeline; a test checks it against the
 * detector registry (a new detector or threshold is added here too).
 */
export const DETECTOR_THRESHOLDS: Readonly<Record<string, readonly string[]>> = {
  impact_destructive_operation: ["routineDays"],
  impact_recover_restore: [],
  credential_access_mass_retrieval: ["distinctObjects", "peakFactor"],
  credential_access_volume_spike: ["sigma", "meanFactor", "minReads"],
  credential_access_list_then_get: ["distinctGets", "withinMinutes"],
  privilege_escalation_policy_change_then_read: ["withinMinutes", "fewObjects"],
  persistence_transient_grant: ["withinMinutes"],
  initial_access_first_seen_principal: ["grantDays", "fewObjects", "newObjectDays"],
  discovery_vault_fan_out: ["minVaults", "margin"],
  discovery_denied_access: ["burst", "peakFactor", "vaults"],
  credential_access_threat_intel_ip: [],
  initial_access_unusual_network: ["minHistoryDays"],
  discovery_unusual_operation: ["minHistoryDays"],
  execution_unusual_client: ["minHistoryDays"],
  execution_attack_tool: [],
  defense_evasion_hardening_weakened: [],
  impact_key_material: ["routineDays"],
  impact_crypto_volume: ["minCount", "peakFactor"],
  collection_canary_secret: [],
  defense_evasion_audit_gap: ["minGapHours", "gapFactor", "minDailyRecords", "minWeeks", "hourOfWeekFactor", "minGapMinutes"],
  initial_access_off_hours: ["minEvents"],
  impact_secret_churn: ["sets", "peakFactor"],
  credential_access_stale_version_read: ["staleHours"],
  initial_access_outside_allowed_networks: [],
  credential_access_new_object_creep: ["slideDays", "minNewObjects", "factor", "minHistoryDays"],
  persistence_unused_secret: ["unusedDays"],
};
