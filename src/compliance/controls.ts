/**
 * @module The frameworks and control numbers the checks map to, written once: CIS Microsoft Azure Foundations
 * in each benchmark version (2.0.0 to 6.0.0, the numbers the benchmarks and Prowler give), Azure Policy
 * definition ids, MCSB, PCI DSS v4.0.1, NIST SP 800-57 Part 1 and ISO/IEC 27001:2022 Annex A.
 */
import type { ControlRef } from "./model.js";

const CIS_VERSIONS = ["2.0.0", "2.1.0", "3.0.0", "4.0.0", "5.0.0", "6.0.0"] as const;

/**
 * One CIS recommendation across benchmark versions, numbers in `CIS_VERSIONS` order (undefined: not in that
 * version).
 */
export function cis(title: string, ...numbers: (string | undefined)[]): ControlRef[] {
  return CIS_VERSIONS.flatMap((version, i) => {
    const control = numbers[i];
    return control ? [{ framework: "cis" as const, control, version, title }] : [];
  });
}

export function policy(id: string, title: string): ControlRef {
  return { framework: "azure-policy", control: id, title };
}

export const MCSB = {
  "DP-6": { framework: "mcsb", control: "DP-6", title: "Use a secure key management process" },
  "DP-7": { framework: "mcsb", control: "DP-7", title: "Use a secure certificate management process" },
  "DP-8": { framework: "mcsb", control: "DP-8", title: "Ensure security of key and certificate repository" },
  "PA-7": { framework: "mcsb", control: "PA-7", title: "Follow just enough administration (least privilege)" },
  "LT-3": { framework: "mcsb", control: "LT-3", title: "Enable logging for security investigation" },
} as const satisfies Record<string, ControlRef>;

export const PCI = {
  "1.4.4": { framework: "pci", control: "1.4.4", title: "System components storing cardholder data are not directly accessible from untrusted networks" },
  "3.6.1": { framework: "pci", control: "3.6.1", title: "Keys protected against disclosure and misuse; fewest custodians" },
  "3.6.1.1": { framework: "pci", control: "3.6.1.1", title: "Documented cryptographic architecture: key strength and expiry date" },
  "3.7.4": { framework: "pci", control: "3.7.4", title: "Key changes at the end of the defined cryptoperiod" },
  "3.7.5": { framework: "pci", control: "3.7.5", title: "Retire, replace or destroy keys at the end of their cryptoperiod" },
  "7.2.4": { framework: "pci", control: "7.2.4", title: "User accounts and access privileges are reviewed" },
  "10.2.1": { framework: "pci", control: "10.2.1", title: "Audit logs are enabled and active" },
} as const satisfies Record<string, ControlRef>;

export const NIST_CRYPTOPERIODS: ControlRef = {
  framework: "nist-800-57",
  control: "5.3",
  title: "Cryptoperiods (Part 1 Rev. 5, Table 1: about two years at most for most keys)",
};

export const ISO = {
  "A.8.24": { framework: "iso-27001", control: "A.8.24", title: "Use of cryptography (key management)" },
  "A.8.15": { framework: "iso-27001", control: "A.8.15", title: "Logging" },
} as const satisfies Record<string, ControlRef>;
