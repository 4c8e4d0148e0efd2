/**
 * @module What a compliance run produces: checks (with the frameworks and controls they map to), a result
 * per check per object, and the inventory they were judged on. The checks fill it; the HTML, CSV, JSON and
 * PDF reports only read it, so every format tells the same story. It never holds a secret value.
 */

import type { UnusedSection } from "./unused.js";
import type { Framework } from "../config/frameworks.js";

/** Frameworks a check can map to; `--framework` filters on these. */
export type { Framework } from "../config/frameworks.js";

/** One control a check maps to: the framework and its control number (a CIS benchmark version too). */
export interface ControlRef {
  framework: Framework;
  /** "8.3.1" (CIS), "3.7.4" (PCI DSS), "DP-6" (MCSB), "A.8.24" (ISO 27001), a policy definition GUID. */
  control: string;
  /** The benchmark version for CIS ("2.0.0", "3.0.0"...), otherwise absent. */
  version?: string;
  /** A short title of the control, when the framework gives one. */
  title?: string;
}

export type CheckScope = "vault" | "key" | "secret" | "certificate";

export interface CheckDefinition {
  /** Stable id, e.g. "secret-expiry-set", "vault-purge-protection". */
  id: string;
  title: string;
  scope: CheckScope;
  /** Why it matters and what to do when it fails: one or two sentences. */
  rationale: string;
  remediation: string;
  severity: "high" | "medium" | "low";
  controls: ControlRef[];
  /** Parameter values used in this run, named as the Azure Policy definition names them. */
  parameters: Record<string, string | number | boolean | string[]>;
}

export type Outcome = "pass" | "fail" | "not-applicable" | "error";

/** One check judged on one object (or on the vault). */
export interface CheckResult {
  checkId: string;
  /** The vault's name. */
  vault: string;
  /** The object's id (`https://vault/secrets/name`), or the vault's resource id for vault checks. */
  objectId: string;
  objectName: string;
  objectType: CheckScope;
  outcome: Outcome;
  /** Why this outcome, in a sentence a person reads ("expires 2026-12-01, in 3 days; the limit is 30"). */
  reason: string;
  /** The facts used (properties only): { expiresOn, created, rotationHistory, auditRecords... }. */
  evidence: Record<string, unknown>;
}

/** An object of the inventory: properties only. */
export interface InventoryItem {
  vault: string;
  type: Exclude<CheckScope, "vault">;
  name: string;
  id: string;
  enabled: boolean;
  created?: string;
  updated?: string;
  notBefore?: string;
  expiresOn?: string;
  contentType?: string;
  /** Keys: "RSA", "RSA-HSM", "EC", "EC-HSM"... */
  keyType?: string;
  keySize?: number;
  curve?: string;
  /** The newest version's creation time, for "rotation actually happened". */
  latestVersionCreated?: string;
  versions?: number;
  /** Soft-deleted and awaiting purge. */
  deleted?: { deletedOn?: string; scheduledPurgeDate?: string };
  /** A key or secret that backs a certificate (judged as the certificate). */
  managed?: boolean;
  /** Certificates: the issuance policy and the current X.509 certificate (public parts only). */
  certificate?: CertificateFacts;
  tags: Record<string, string>;
  /** Secrets kvguard rotated: the consumers its revoke gate last counted from the audit log, and those still on the old version. */
  consumers?: { consumers?: number; onOldVersion?: number; at: string; source: "audit" | "failed" };
}

/** What a certificate's policy and its current X.509 certificate say; the key fields are on the item. */
export interface CertificateFacts {
  /** The X.509 subject and subject alternative names (DNS:, email:, IP:...). */
  subject?: string;
  sans: string[];
  /** The certificate's issuer as X.509 names it. */
  issuedBy?: string;
  /** The policy's issuer: `Self`, `Unknown` (signed elsewhere, merged) or an issuer object's name. */
  issuerName?: string;
  /** The CA behind that issuer object (DigiCert, GlobalSign...), when it is one. */
  issuerProvider?: string;
  validityMonths?: number;
  exportable?: boolean;
  /** The policy's lifetime actions: AutoRenew or EmailContacts, at days before expiry or a percentage of life. */
  lifetimeActions: { action: string; daysBeforeExpiry?: number; lifetimePercentage?: number }[];
  /** Key Vault renews it by itself: an AutoRenew action and an issuer it can renew with (Self or a CA issuer). */
  renewsItself: boolean;
  thumbprint?: string;
}

/** A vault as the management plane describes it; absent fields were not readable. */
export interface VaultFacts {
  name: string;
  url: string;
  resourceId?: string;
  location?: string;
  softDeleteEnabled?: boolean;
  softDeleteRetentionDays?: number;
  purgeProtectionEnabled?: boolean;
  rbacAuthorization?: boolean;
  publicNetworkAccess?: string;
  firewallDefaultAction?: string;
  privateEndpoints?: number;
  /** Diagnostic settings that send the AuditEvent category, and where. */
  auditDiagnostics?: { name: string; workspace?: string; storageAccount?: string }[];
  /** Who holds data-plane access: role assignments and access policies. */
  access?: { principalId: string; principalType?: string; role: string; scope: string }[];
  /** Why the management plane could not be read, when it could not. */
  error?: string;
}

export interface ComplianceRun {
  /** ISO time the run started (the clock kvguard runs on). */
  generatedAt: string;
  /** Frameworks the run was filtered to; empty: all. */
  frameworks: Framework[];
  vaults: VaultFacts[];
  checks: CheckDefinition[];
  results: CheckResult[];
  inventory: InventoryItem[];
  /** Vaults or listings that failed as a whole (unreachable, 403), each also an "error" result. */
  errors: { vault: string; message: string }[];
  /** Objects nobody read in KVGUARD_AUDIT_UNUSED_DAYS days, per vault (absent when the run was not asked for it). */
  unused?: UnusedSection;
}
