/** @module The frameworks compliance checks map to: the values `KVGUARD_REPORT_FRAMEWORKS` and `--framework` take. */

export const FRAMEWORKS = ["azure-policy", "cis", "mcsb", "pci", "nist-800-57", "iso-27001"] as const;
export type Framework = (typeof FRAMEWORKS)[number];
