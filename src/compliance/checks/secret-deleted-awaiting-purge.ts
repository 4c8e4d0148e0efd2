/** @module Check secret-deleted-awaiting-purge: Soft-deleted secrets are recovered or purged. */
import type { ObjectCheck } from "../check.js";
import { ISO, PCI } from "../controls.js";
import { deletedAwaitingPurge } from "../objectRules.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "secret-deleted-awaiting-purge",
    title: "Soft-deleted secrets are recovered or purged",
    scope: "secret",
    rationale: "A soft-deleted object stays recoverable until its purge date: key material lingers unless someone decides.",
    remediation: "Recover the secret if it was deleted by mistake; otherwise purge it (or let the retention period end).",
    severity: "low",
    controls: [PCI["3.7.5"], ISO["A.8.24"]],
    parameters: {},
  },
  enabledOnly: false,
  deleted: true,
  evaluate: deletedAwaitingPurge,
});
