/** @module Check secret-content-type: Secrets have a content type. */
import type { ObjectCheck } from "../check.js";
import { MCSB, policy } from "../controls.js";

export const check = (): ObjectCheck => ({
  definition: {
    id: "secret-content-type",
    title: "Secrets have a content type",
    scope: "secret",
    rationale: "A content type says what a secret holds (a password, a connection string, a PEM), which tells its owner how to rotate it.",
    remediation: "Set the secret's contentType.",
    severity: "low",
    controls: [policy("75262d3e-ba4a-4f43-85f8-9f72c090e5e3", "Secrets should have content type set"), MCSB["DP-6"]],
    parameters: {},
  },
  enabledOnly: true,
  evaluate: ({ item }) =>
    item.contentType
      ? { outcome: "pass", reason: `content type ${item.contentType}`, evidence: { contentType: item.contentType } }
      : { outcome: "fail", reason: "no content type", evidence: { contentType: null } },
});
