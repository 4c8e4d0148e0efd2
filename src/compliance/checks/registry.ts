/**
 * @module Every compliance check, one per file named for its id (`<scope>-<subject>.ts`, exporting `check`,
 * which builds it with this run's configuration). Adding a check is adding its file and one line here; the
 * contract suite (test/compliance/checkContract.test.ts) runs every check listed here, and docs/compliance.md's
 * catalogue is generated from it (`npm run docs:checks`).
 */
import type { ComplianceConfig } from "../../config/complianceSettings.js";
import type { CheckFactory, ObjectCheck, VaultCheck } from "../check.js";
import { check as certificateAllowedKeyType } from "./certificate-allowed-key-type.js";
import { check as certificateEcCurve } from "./certificate-ec-curve.js";
import { check as certificateExpiringSoon } from "./certificate-expiring-soon.js";
import { check as certificateIntegratedCa } from "./certificate-integrated-ca.js";
import { check as certificateMaxValidity } from "./certificate-max-validity.js";
import { check as certificateRenewalAction } from "./certificate-renewal-action.js";
import { check as certificateRsaMinSize } from "./certificate-rsa-min-size.js";
import { check as keyActivePeriod } from "./key-active-period.js";
import { check as keyAllowedType } from "./key-allowed-type.js";
import { check as keyDeletedAwaitingPurge } from "./key-deleted-awaiting-purge.js";
import { check as keyDisabled } from "./key-disabled.js";
import { check as keyEcCurve } from "./key-ec-curve.js";
import { check as keyEnabledExpired } from "./key-enabled-expired.js";
import { check as keyExpiringSoon } from "./key-expiring-soon.js";
import { check as keyExpirySet } from "./key-expiry-set.js";
import { check as keyHsmBacked } from "./key-hsm-backed.js";
import { check as keyKvguardPolicy } from "./key-kvguard-policy.js";
import { check as keyMaxValidity } from "./key-max-validity.js";
import { check as keyRotatedWithinCryptoperiod } from "./key-rotated-within-cryptoperiod.js";
import { check as keyRotationPolicy } from "./key-rotation-policy.js";
import { check as keyRsaMinSize } from "./key-rsa-min-size.js";
import { check as secretActivePeriod } from "./secret-active-period.js";
import { check as secretContentType } from "./secret-content-type.js";
import { check as secretDeletedAwaitingPurge } from "./secret-deleted-awaiting-purge.js";
import { check as secretDisabled } from "./secret-disabled.js";
import { check as secretEnabledExpired } from "./secret-enabled-expired.js";
import { check as secretExpiringSoon } from "./secret-expiring-soon.js";
import { check as secretExpirySet } from "./secret-expiry-set.js";
import { check as secretKvguardPolicy } from "./secret-kvguard-policy.js";
import { check as secretMaxValidity } from "./secret-max-validity.js";
import { check as secretRotatedWithinCryptoperiod } from "./secret-rotated-within-cryptoperiod.js";
import { check as vaultAuditLogging } from "./vault-audit-logging.js";
import { check as vaultDataAccess } from "./vault-data-access.js";
import { check as vaultFirewall } from "./vault-firewall.js";
import { check as vaultPrivateEndpoint } from "./vault-private-endpoint.js";
import { check as vaultPublicNetworkDisabled } from "./vault-public-network-disabled.js";
import { check as vaultPurgeProtection } from "./vault-purge-protection.js";
import { check as vaultRbac } from "./vault-rbac.js";
import { check as vaultSoftDelete } from "./vault-soft-delete.js";

/** In report order: the vault, then keys, secrets and certificates. */
export const CHECKS: readonly CheckFactory[] = [
  vaultSoftDelete,
  vaultPurgeProtection,
  vaultRbac,
  vaultPublicNetworkDisabled,
  vaultFirewall,
  vaultPrivateEndpoint,
  vaultAuditLogging,
  vaultDataAccess,
  keyExpirySet,
  keyExpiringSoon,
  keyMaxValidity,
  keyActivePeriod,
  keyEnabledExpired,
  keyRotatedWithinCryptoperiod,
  keyRotationPolicy,
  keyAllowedType,
  keyRsaMinSize,
  keyEcCurve,
  keyHsmBacked,
  keyDisabled,
  keyDeletedAwaitingPurge,
  keyKvguardPolicy,
  secretExpirySet,
  secretExpiringSoon,
  secretMaxValidity,
  secretActivePeriod,
  secretEnabledExpired,
  secretRotatedWithinCryptoperiod,
  secretDisabled,
  secretDeletedAwaitingPurge,
  secretKvguardPolicy,
  secretContentType,
  certificateExpiringSoon,
  certificateMaxValidity,
  certificateRenewalAction,
  certificateAllowedKeyType,
  certificateRsaMinSize,
  certificateEcCurve,
  certificateIntegratedCa,
];

export function buildChecks(config: ComplianceConfig): (ObjectCheck | VaultCheck)[] {
  return CHECKS.map((check) => check(config));
}
