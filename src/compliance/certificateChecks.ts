/**
 * @module Certificate checks (Azure Policy's certificate definitions and CIS's 12-month validity). kvguard
 * does not read certificates yet (no certificates client; the local Key Vault serves none), so each of these
 * is reported once per vault as not applicable, saying why: never as a pass.
 */
import type { ComplianceConfig } from "../config/complianceSettings.js";
import { cis, MCSB, policy } from "./controls.js";
import type { CheckDefinition } from "./model.js";
import { ALLOWED_EC_NAMES } from "./keyStrengthChecks.js";

export const CERTIFICATES_NOT_READ = "no certificates were read: kvguard does not list certificates yet (the local Key Vault has none)";

function certificate(id: string, title: string, controls: CheckDefinition["controls"], parameters: CheckDefinition["parameters"], rationale: string): CheckDefinition {
  return {
    id,
    title,
    scope: "certificate",
    rationale,
    remediation: "Review the vault's certificates in the Azure portal or with Azure Policy until kvguard reads them.",
    severity: "medium",
    controls: [...controls, MCSB["DP-7"]],
    parameters,
  };
}

export function certificateChecks(config: ComplianceConfig): CheckDefinition[] {
  return [
    certificate(
      "certificate-expiring-soon",
      `Certificates have more than ${config.expiryWarningDays} days before expiration`,
      [policy("f772fb64-8e40-40ad-87bc-7706e1949427", "Certificates should not expire within the specified number of days")],
      { daysToExpire: config.expiryWarningDays },
      "An expiring certificate takes its service down unless it is renewed first.",
    ),
    certificate(
      "certificate-max-validity",
      `Certificates are valid for at most ${config.certMaxValidityMonths} months`,
      [
        policy("0a075868-4c26-42ef-914c-5bc007359560", "Certificates should have the specified maximum validity period"),
        ...cis("Ensure certificate validity period is 12 months or less", undefined, undefined, undefined, undefined, "8.3.11", "8.3.11"),
      ],
      { maximumValidityInMonths: config.certMaxValidityMonths },
      "Long-lived certificates stay trusted long after a key may have leaked.",
    ),
    certificate(
      "certificate-renewal-action",
      "Certificates renew automatically before they expire",
      [policy("12ef42cb-9903-4e39-9c26-422d29570417", "Certificates should have the specified lifetime action triggers")],
      { minimumDaysBeforeExpiry: config.expiryWarningDays, maximumPercentageLife: 80 },
      "A lifetime action renews a certificate without a person remembering to.",
    ),
    certificate(
      "certificate-allowed-key-type",
      "Certificates use allowed key types",
      [policy("1151cede-290b-4ba0-8b38-0ad145ac888f", "Certificates should use allowed key types")],
      { allowedKeyTypes: ["RSA", "RSA-HSM"] },
      "Only approved key types should back certificates.",
    ),
    certificate(
      "certificate-rsa-min-size",
      `Certificates' RSA keys are at least ${config.minRsaKeySize} bits`,
      [policy("cee51871-e572-4576-855c-047c820360f0", "Certificates using RSA cryptography should have the specified minimum key size")],
      { minimumRSAKeySize: config.minRsaKeySize },
      "Short RSA keys fall to factoring sooner.",
    ),
    certificate(
      "certificate-ec-curve",
      "Certificates' elliptic-curve keys use an allowed curve",
      [policy("bd78111f-4953-4367-9fd5-7e08808b54bf", "Certificates using elliptic curve cryptography should have allowed curve names")],
      { allowedECNames: ALLOWED_EC_NAMES },
      "Only approved curves should back certificates.",
    ),
    certificate(
      "certificate-integrated-ca",
      "Certificates are issued by an integrated certificate authority",
      [policy("8e826246-c976-48f6-b03e-619bb92b3d82", "Certificates should be issued by the specified integrated certificate authority")],
      { allowedCAs: ["DigiCert", "GlobalSign"] },
      "Integrated CAs renew automatically; self-signed certificates are not trusted by clients.",
    ),
  ];
}
