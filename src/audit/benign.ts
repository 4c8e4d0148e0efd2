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
  // Cheap tests first: most records are neither VaultGet nor denied, and ids are compared lower-cased.
  if (record.operation === "VaultGet" && p.appid && AZURE_SCANNER_APPIDS.has(lower(p.appid))) return "azure-scanner";
  if (record.operation === "SecretGet" && isDenied(record) && p.appid && lower(p.appid) === APP_SERVICE_APPID) return "app-service-reference";
  if (selfIds.size > 0 && ((p.oid && selfIds.has(lower(p.oid))) || (p.appid && selfIds.has(lower(p.appid))))) return "kvguard";
  return undefined;
}

const lowered = new Map<string, string>();

/** Ids lower-cased once each (callers are few; the map is cleared if odd input floods it). */
function lower(id: string): string {
  let text = lowered.get(id);
  if (text === undefined) {
    if (lowered.size >= 100_000) lowered.clear();
    lowered.set(id, (text = id.toLowerCase()));
  }
  return text;
}
