/**
 * @module Sample alerts of every kind, made-up but realistic, for `kvguard alert test`, the rendering script
 * and the tests. None carries a secret value (there is no field for one).
 */
import { randomUUID } from "node:crypto";
import type { Alert, AlertKind } from "./alert.js";

const VAULT_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-payments/providers/Microsoft.KeyVault/vaults/payments-prod";

export function sampleAlert(kind: AlertKind, at = new Date().toISOString()): Alert {
  const base = { id: randomUUID(), vault: "payments-prod", vaultResourceId: VAULT_ID, at };
  switch (kind) {
    case "finding":
      return {
        ...base,
        kind,
        severity: "high",
        dedupKey: `sample|finding|${base.id}`,
        title: "Canary secret touched",
        object: { type: "secret", name: "db-admin-old" },
        who: { principal: "build-agent@contoso.com", ip: "203.0.113.45" },
        until: new Date(Date.parse(at) + 90_000).toISOString(),
        count: 3,
        explanation:
          "build-agent@contoso.com read the decoy secret db-admin-old 3 times from 203.0.113.45. No application uses it: whoever reads it is exploring the vault (detector collection_canary_secret).",
      };
    case "rotation-failed":
      return {
        ...base,
        kind,
        severity: "high",
        dedupKey: `sample|rotation-failed|${base.id}`,
        title: "Rotation of payments-prod/db-password failed: kvguard gave up",
        object: { type: "secret", name: "db-password" },
        count: 5,
        explanation:
          "The schedule rotation failed 5 times and will not be retried before the next due time. The live version still holds the previous credential. Last error: the target refused the current credential (login failed for user 'payments_app').",
      };
    case "rotation-succeeded":
      return {
        ...base,
        kind,
        severity: "info",
        dedupKey: `sample|rotated|${base.id}`,
        title: "Rotated payments-prod/api-token",
        object: { type: "secret", name: "api-token" },
        explanation:
          "The schedule rotation made version 3f2a9c0d41e84b7f a live (rotation 6c1d…). The previous credential stays valid through its grace period, then is revoked.",
      };
    case "near-expiry-without-policy":
      return {
        ...base,
        kind,
        severity: "medium",
        dedupKey: `sample|near-expiry|${base.id}`,
        title: "payments-prod/partner-sftp-password nears expiry and has no rotation policy",
        object: { type: "secret", name: "partner-sftp-password" },
        explanation:
          "Key Vault raised Microsoft.KeyVault.SecretNearExpiry, but no kvguard-rotator tag or policy-file entry covers this secret, so nothing will rotate it. Add a policy, or rotate it by hand before it expires.",
      };
    case "expiry-notice":
      return {
        ...base,
        kind,
        severity: "medium",
        dedupKey: `sample|expiry-notice|${base.id}`,
        title: "payments-prod/certificates/partner-tls expires in 14 days and nothing will renew it",
        object: { type: "certificate", name: "partner-tls" },
        explanation:
          "Version 9b1e… expires on 2026-12-21. Its policy names issuer Unknown: Key Vault cannot renew it and kvguard cannot either. A CSR is ready in its pending operation (kvguard csr payments-prod/partner-tls prints it): have it signed and merge the certificate. Next notice at 7 days.",
      };
    case "report-ready":
      return {
        ...base,
        kind,
        severity: "info",
        dedupKey: `sample|report|${base.id}`,
        title: "November 2026 access review is ready",
        explanation: "Who read which secret in payments-prod from 1 to 30 November 2026, rotations and their evidence, and the open findings.",
        url: "https://kvguardstore.blob.core.windows.net/reports/2026-11-access-review.pdf",
      };
    case "consumer-lagging":
      return {
        ...base,
        kind,
        severity: "medium",
        dedupKey: `sample|consumer-lagging|${base.id}`,
        title: "billing-api has not read the new version of payments-prod/payments-db 3 days after rotation",
        object: { type: "secret", name: "payments-db" },
        who: { principal: "billing-api" },
        explanation:
          "payments-prod/payments-db was rotated 3 days ago. billing-api read the secret before the rotation, but the audit log shows no read of the new version since, so it may still hold the previous credential. kvguard keeps that credential valid until every such consumer has switched or the maximum grace has passed.",
      };
  }
}
