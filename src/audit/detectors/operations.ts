/** @module Key Vault operation names the detectors group by (the names AuditEvent records carry). */

/** Reads that return secret material or a key/certificate. */
export const OBJECT_READS = new Set(["SecretGet", "KeyGet", "CertificateGet"]);
export const LISTS = new Set(["SecretList", "KeyList", "CertificateList", "SecretListVersions", "KeyListVersions", "CertificateListVersions"]);
export const CRYPTO_OPERATIONS = new Set(["KeyDecrypt", "KeyEncrypt", "KeySign", "KeyVerify", "KeyWrap", "KeyUnwrap"]);
export const VAULT_WRITES = new Set(["VaultPut", "VaultPatch"]);

const HOUR = 3_600_000;
export const WINDOW = { minute: 60_000, tenMinutes: 600_000, hour: HOUR, day: 24 * HOUR } as const;

/** Start of the UTC day / hour a time falls in. */
export function startOf(ms: number, windowMs: number): number {
  return Math.floor(ms / windowMs) * windowMs;
}
