/**
 * @module Alerts from the audit pipeline's findings: one per finding, deduplicated by the finding's id (which
 * is stable across overlapping scans), with who, from where, when, how many records and the explanation.
 */
import { randomUUID } from "node:crypto";
import type { Finding } from "../audit/finding.js";
import { principalLabel } from "../audit/record.js";
import type { Alert } from "./alert.js";

const OBJECT_TYPES: Record<string, "secret" | "key" | "certificate"> = { secrets: "secret", keys: "key", certificates: "certificate" };

/** `vault/type/name` as findings write objects; other types (storage accounts) stay in the explanation only. */
function objectOf(finding: Finding): Alert["object"] {
  const [, type, ...name] = finding.object?.split("/") ?? [];
  const kind = type ? OBJECT_TYPES[type] : undefined;
  return kind && name.length ? { type: kind, name: name.join("/") } : undefined;
}

/**
 * @param findings - findings as the audit scan stores them (new ones; the dedup window drops repeats anyway)
 * @param vaultResourceIds - vault name → Azure resource id, when known, for the portal link
 * @param detectorName - a detector's name by id (the app's detector set), the alert's title; else the id
 */
export function alertsFromFindings(
  findings: readonly Finding[],
  vaultResourceIds: Readonly<Record<string, string>> = {},
  detectorName: (id: string) => string | undefined = () => undefined,
): Alert[] {
  return findings.map((finding) => {
    const object = objectOf(finding);
    const resourceId = vaultResourceIds[finding.vault.toLowerCase()];
    return {
      id: randomUUID(),
      kind: "finding",
      severity: finding.severity,
      dedupKey: `finding|${finding.id}`,
      title: detectorName(finding.detector) ?? finding.detector,
      vault: finding.vault === "*" ? "all vaults" : finding.vault,
      ...(resourceId ? { vaultResourceId: resourceId } : {}),
      ...(object ? { object } : {}),
      who: { principal: principalLabel(finding.principal), ...(finding.ip ? { ip: finding.ip } : {}) },
      at: finding.start,
      ...(finding.end !== finding.start ? { until: finding.end } : {}),
      count: finding.count,
      explanation: `${finding.summary} (detector ${finding.detector}, finding ${finding.id}).`,
    };
  });
}
