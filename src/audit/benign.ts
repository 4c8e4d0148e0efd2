/**
 * @module Known-benign records, learned from but never reported: Key Vault's own 401 challenges (every SDK
 * client's first call), Azure Resource Graph and Policy Insights reading vault properties, App Service Key
 * Vault references failing on network-restricted vaults, and kvguard's own identity.
 */
import { isDenied, type AuditRecord } from "./record.js";

/** Azure Resource Graph and Policy Insights: VaultGet every few hours (Sentinel PR #5542). */
const AZURE_SCANNER_APPIDS = new Set(["509e4652-da8d-478d-a730-e9d4a1996ca4", "8cae6e77-e04e-42ce-b5cb-50d82bce26b1"]);
/** Microsoft Azure App Service: Key Vault references fail by design on restricted vaults (azure-docs PR #126251). */
const APP_SERVICE_APPID = "abfa0a7c-a6b6-4736-8310-5855508787cd";

export type BenignReason = "challenge" | "azure-scanner" | "app-service-reference" | "kvguard";

/**
 * Why a record is benign, or undefined.
 * @param record - the record
 * @param selfIds - kvguard's own object and app ids (lower case)
 */
export function benignReason(record: AuditRecord, selfIds: ReadonlySet<string>): BenignReason | undefined {
  const p = record.principal;
  if (record.status === 401 && !p.oid && !p.appid && !p.upn) return "challenge";
  if (p.appid && AZURE_SCANNER_APPIDS.has(p.appid.toLowerCase()) && record.operation === "VaultGet") return "azure-scanner";
  if (p.appid?.toLowerCase() === APP_SERVICE_APPID && isDenied(record) && record.operation === "SecretGet") return "app-service-reference";
  if (selfIds.size > 0 && ((p.oid && selfIds.has(p.oid.toLowerCase())) || (p.appid && selfIds.has(p.appid.toLowerCase())))) return "kvguard";
  return undefined;
}
