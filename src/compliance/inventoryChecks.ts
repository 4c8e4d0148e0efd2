/**
 * @module Inventory checks of keys and secrets: disabled objects, soft-deleted objects awaiting purge, and
 * objects without a kvguard rotation policy (or with one that does not parse); secrets' content type.
 */
import { isoDay, type ObjectCheck } from "./check.js";
import { ISO, MCSB, PCI, policy } from "./controls.js";

type Kind = "key" | "secret";

export function inventoryChecks(kind: Kind): ObjectCheck[] {
  return [
    {
      definition: {
        id: `${kind}-disabled`,
        title: `Disabled ${kind}s are reviewed`,
        scope: kind,
        rationale: "A disabled object is retired in place: it should be deleted once nothing needs it, or re-enabled on purpose.",
        remediation: `Delete the ${kind} if it is retired, or enable it if it is still needed.`,
        severity: "low",
        controls: [PCI["3.7.5"], ISO["A.8.24"]],
        parameters: {},
      },
      enabledOnly: false,
      evaluate: ({ item }) =>
        item.enabled
          ? { outcome: "pass", reason: "enabled", evidence: { enabled: true } }
          : { outcome: "fail", reason: `disabled (last updated ${isoDay(item.updated) ?? "unknown"})`, evidence: { enabled: false, updated: item.updated ?? null } },
    },
    {
      definition: {
        id: `${kind}-deleted-awaiting-purge`,
        title: `Soft-deleted ${kind}s are recovered or purged`,
        scope: kind,
        rationale: "A soft-deleted object stays recoverable until its purge date: key material lingers unless someone decides.",
        remediation: `Recover the ${kind} if it was deleted by mistake; otherwise purge it (or let the retention period end).`,
        severity: "low",
        controls: [PCI["3.7.5"], ISO["A.8.24"]],
        parameters: {},
      },
      enabledOnly: false,
      deleted: true,
      evaluate: ({ item }) => ({
        outcome: "fail",
        reason: `soft-deleted ${isoDay(item.deleted?.deletedOn) ?? "at an unknown time"}, purged ${isoDay(item.deleted?.scheduledPurgeDate) ?? "never (no purge date)"}`,
        evidence: { deletedOn: item.deleted?.deletedOn ?? null, scheduledPurgeDate: item.deleted?.scheduledPurgeDate ?? null },
      }),
    },
    {
      definition: {
        id: `${kind}-kvguard-policy`,
        title: `${kind === "key" ? "Keys" : "Secrets"} have a kvguard rotation policy`,
        scope: kind,
        rationale: "Without a rotation policy nothing rotates the object at the end of its cryptoperiod (PCI DSS 3.7.4's process for key changes).",
        remediation: "Tag it with kvguard-rotator (and kvguard-rotate-every), or add a policy-file entry that matches it.",
        severity: "medium",
        controls: [PCI["3.7.4"], MCSB["DP-6"], ISO["A.8.24"]],
        parameters: {},
      },
      enabledOnly: true,
      evaluate({ kvguardPolicy, status }) {
        const evidence = { policy: kvguardPolicy.kind, statusState: status?.state ?? null };
        if (kvguardPolicy.kind === "policy") return { outcome: "pass", reason: `rotated by kvguard's ${kvguardPolicy.rotator} rotator`, evidence };
        if (kvguardPolicy.kind === "invalid") return { outcome: "fail", reason: `its rotation policy is invalid: ${kvguardPolicy.problems.join("; ")}`, evidence };
        return { outcome: "fail", reason: "no kvguard rotation policy", evidence };
      },
    },
    ...(kind === "secret"
      ? [
          {
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
          } satisfies ObjectCheck,
        ]
      : []),
  ];
}
