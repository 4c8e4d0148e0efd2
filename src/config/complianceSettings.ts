/**
 * @module The compliance checks' settings: where the vaults are in Azure Resource Manager (the subscriptions
 * searched) and the checks' thresholds, each the value of an Azure Policy parameter (named in its description)
 * or kvguard's own, with defaults from the sources the checks cite (NIST SP 800-57's two years, the Event Grid
 * near-expiry lead of 30 days, the certificate policy's 12 months, the log policy's 365 days).
 */
import { z } from "zod";
import { docs } from "./docs.js";
import { positiveInt } from "./positiveInt.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The local cloud's one subscription, searched when the vaults are the local Key Vault. */
export const LOCAL_CLOUD_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";

export const complianceShape = {
  KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS: z
    .string()
    .transform((raw, ctx) => {
      const ids = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      for (const id of ids) {
        if (!GUID.test(id))
          ctx.addIssue({
            code: "custom",
            message: `"${id}" is not a subscription id. Set it to comma-separated subscription GUIDs such as 00000000-0000-0000-0000-000000000000`,
          });
      }
      return ids.map((id) => id.toLowerCase());
    })
    .optional()
    .register(docs, {
      description:
        "Subscriptions whose Key Vaults the compliance checks read through ARM (comma-separated); a vault is matched by its URL (vaultUri), else by name.",
      default: "the local cloud's subscription with KVGUARD_LOCAL_CA_FILE; otherwise none (vault checks report an error)",
      example: "11111111-2222-3333-4444-555555555555",
    }),
  KVGUARD_COMPLIANCE_EXPIRY_WARNING_DAYS: positiveInt(30).default(30).register(docs, {
    description: "Objects expiring within this many days fail (Azure Policy minimumDaysBeforeExpiration, daysToExpire).",
  }),
  KVGUARD_COMPLIANCE_MAX_VALIDITY_DAYS: positiveInt(730).default(730).register(docs, {
    description: "Longest allowed time from creation to expiry of a key or secret (Azure Policy maximumValidityInDays).",
  }),
  KVGUARD_COMPLIANCE_MAX_ACTIVE_DAYS: positiveInt(730).default(730).register(docs, {
    description: "Longest a key or secret may be active, from not-before or creation (the active-period policies' maximumValidityInDays).",
  }),
  KVGUARD_COMPLIANCE_CRYPTOPERIOD_DAYS: positiveInt(365).default(365).register(docs, {
    description:
      "Cryptoperiod of an object without its own schedule (kvguard-rotate-every or a key rotation policy): its newest version must be younger; also the key rotation policy's maximumDaysToRotate.",
  }),
  KVGUARD_COMPLIANCE_MIN_RSA_BITS: z.coerce
    .number({ error: () => "is not a number. Set it to 2048, 3072 or 4096" })
    .pipe(z.union([z.literal(2048), z.literal(3072), z.literal(4096)], { error: () => "is not a key size Key Vault makes. Set it to 2048, 3072 or 4096" }))
    .default(2048)
    .register(docs, { description: "Smallest RSA key size allowed (Azure Policy minimumRSAKeySize: 2048, 3072 or 4096)." }),
  KVGUARD_COMPLIANCE_CERT_MAX_VALIDITY_MONTHS: positiveInt(12).default(12).register(docs, {
    description: "Longest certificate validity allowed, in months (Azure Policy maximumValidityInMonths).",
  }),
  KVGUARD_COMPLIANCE_LOG_RETENTION_DAYS: positiveInt(365).default(365).register(docs, {
    description: "Retention a diagnostic setting archiving to storage must keep, 0 meaning forever (Azure Policy requiredRetentionDays).",
  }),
  KVGUARD_COMPLIANCE_MAX_CUSTODIANS: positiveInt(3).default(3).register(docs, {
    description:
      "Most principals that may manage a vault's keys and secrets (administrator and officer roles, writing access policies); PCI DSS 3.6.1's fewest custodians.",
  }),
};

export type ComplianceSettings = z.output<z.ZodObject<typeof complianceShape>>;

export interface ComplianceConfig {
  /** Searched for the vaults; empty: vault-level checks cannot run. */
  subscriptionIds: string[];
  expiryWarningDays: number;
  maxValidityDays: number;
  maxActiveDays: number;
  cryptoperiodDays: number;
  minRsaKeySize: number;
  certMaxValidityMonths: number;
  logRetentionDays: number;
  maxCustodians: number;
}

export function complianceConfig(settings: ComplianceSettings, local: boolean): ComplianceConfig {
  return {
    subscriptionIds: settings.KVGUARD_COMPLIANCE_SUBSCRIPTION_IDS ?? (local ? [LOCAL_CLOUD_SUBSCRIPTION_ID] : []),
    expiryWarningDays: settings.KVGUARD_COMPLIANCE_EXPIRY_WARNING_DAYS,
    maxValidityDays: settings.KVGUARD_COMPLIANCE_MAX_VALIDITY_DAYS,
    maxActiveDays: settings.KVGUARD_COMPLIANCE_MAX_ACTIVE_DAYS,
    cryptoperiodDays: settings.KVGUARD_COMPLIANCE_CRYPTOPERIOD_DAYS,
    minRsaKeySize: settings.KVGUARD_COMPLIANCE_MIN_RSA_BITS,
    certMaxValidityMonths: settings.KVGUARD_COMPLIANCE_CERT_MAX_VALIDITY_MONTHS,
    logRetentionDays: settings.KVGUARD_COMPLIANCE_LOG_RETENTION_DAYS,
    maxCustodians: settings.KVGUARD_COMPLIANCE_MAX_CUSTODIANS,
  };
}
