/** @module Check certificate-allowed-key-type: Certificates use allowed key types (Azure Policy's default: RSA). */
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";
import { allowedKeyType } from "../objectRules.js";

const ALLOWED_CERTIFICATE_KEY_TYPES = ["RSA", "RSA-HSM"];

export const check = (): ObjectCheck => ({
  definition: {
    id: "certificate-allowed-key-type",
    title: "Certificates use allowed key types",
    scope: "certificate",
    rationale: "Only key types the organisation has approved should back certificates.",
    remediation: "Set an allowed key type in the certificate policy and renew the certificate with a new key (reuseKey false).",
    severity: "medium",
    controls: [policy("1151cede-290b-4ba0-8b38-0ad145ac888f", "Certificates should use allowed key types"), MCSB["DP-7"]],
    parameters: { allowedKeyTypes: ALLOWED_CERTIFICATE_KEY_TYPES },
  },
  enabledOnly: true,
  evaluate: allowedKeyType(ALLOWED_CERTIFICATE_KEY_TYPES),
});
