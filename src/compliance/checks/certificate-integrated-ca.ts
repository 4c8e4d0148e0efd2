/**
 * @module Check certificate-integrated-ca: Certificates are issued by an integrated certificate authority
 * (the policy's issuer is an issuer object whose provider is an allowed CA), which Key Vault renews with.
 */
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";

const ALLOWED_CAS = ["DigiCert", "GlobalSign"];

export const check = (): ObjectCheck => ({
  definition: {
    id: "certificate-integrated-ca",
    title: "Certificates are issued by an integrated certificate authority",
    scope: "certificate",
    rationale:
      "An integrated CA issues and renews through Key Vault with no person in the loop; self-signed certificates are trusted by no client, and certificates signed elsewhere renew only by hand.",
    remediation: "Create an issuer for DigiCert or GlobalSign in the vault and name it as the certificate policy's issuer.",
    severity: "medium",
    controls: [policy("8e826246-c976-48f6-b03e-619bb92b3d82", "Certificates should be issued by the specified integrated certificate authority"), MCSB["DP-7"]],
    parameters: { allowedCAs: ALLOWED_CAS },
  },
  enabledOnly: true,
  evaluate({ item }) {
    const { issuerName, issuerProvider, issuedBy } = item.certificate ?? {};
    const evidence = { issuerName: issuerName ?? null, issuerProvider: issuerProvider ?? null, issuedBy: issuedBy ?? null };
    if (issuerProvider && ALLOWED_CAS.some((ca) => ca.toLowerCase() === issuerProvider.toLowerCase())) {
      return { outcome: "pass", reason: `issuer ${issuerName} (${issuerProvider})`, evidence };
    }
    const why =
      issuerName?.toLowerCase() === "self"
        ? "self-signed (issuer Self)"
        : issuerName?.toLowerCase() === "unknown" || !issuerName
          ? "signed outside Key Vault (issuer Unknown)"
          : `issuer ${issuerName} is ${issuerProvider ? `provider ${issuerProvider}` : "not an issuer object of the vault"}`;
    return { outcome: "fail", reason: `${why}; allowed: ${ALLOWED_CAS.join(", ")}`, evidence };
  },
});
