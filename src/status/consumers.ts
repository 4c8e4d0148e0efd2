/**
 * @module Who reads each managed secret, as the revoke gate last counted it (the status row's `consumers`):
 * the rows of the status page's consumer table and the compliance report's inventory column.
 */
import { consumerCounts, type ConsumerCounts } from "../rotation/revokeGate.js";
import type { RotationStatus } from "../rotation/status.js";

export interface ConsumerRow extends ConsumerCounts {
  name: string;
}

/** The secrets whose previous credential the gate has looked at, by name. */
export function consumerRows(statuses: readonly RotationStatus[]): ConsumerRow[] {
  return statuses
    .flatMap((s) => {
      const counts = consumerCounts(s);
      return counts && counts.source !== "none" ? [{ name: s.name, ...counts }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
