/** @module Detection row 13: a known principal using an operation on a vault it had not used in the window. */
import { principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { DayMemo } from "./dayMemo.js";
import { FirstPerDay, isNewTermForKnownPrincipal, usualTerms } from "./newTerm.js";
import { WINDOW, startOf } from "./operations.js";

export const detector: Detector = {
  id: "discovery_unusual_operation",
  name: "Unusual operation for the principal",
  tactic: "discovery",
  severity: "low",
  description: "A principal with history on a vault uses an operation there it had not used in the baseline window (a first List, Purge or Backup).",
  falsePositives: ["New features of an app", "Rare maintenance tasks"],
  references: ["detection.md row 13", "Defender KV_OperationPatternAnomaly"],
  thresholds: { minHistoryDays: { value: 3, description: "days the principal must have used the vault before" } },
  usesBaseline: true,
  handles: (operation) => operation !== "Authentication",
  create: () => {
    const described = new FirstPerDay();
    // (vault, principal) → operation → verdict, for today.
    const verdicts = new DayMemo<Map<string, boolean>>();
    return {
      step(r, ctx) {
        if (ctx.benign || r.operation === "Authentication") return;
        const principal = principalKey(r.principal);
        const today = startOf(r.timeMs, WINDOW.day);
        const operations = verdicts.get(today, r.vault.name, principal) ?? verdicts.remember(new Map<string, boolean>());
        let isUnusual = operations.get(r.operation);
        // Key strings are built only on the first sighting of the day.
        const base = isUnusual === undefined || isUnusual ? `ops|${r.vault.name}|${principal}` : "";
        if (isUnusual === undefined) operations.set(r.operation, (isUnusual = isNewTermForKnownPrincipal(ctx, r, today, `${base}|${r.operation}`, base)));
        if (!ctx.warm || !isUnusual) return;
        const subject = `${r.vault.name}|${principal}|${r.operation}`;
        const first = described.first(subject, today);
        ctx.emit({
          record: r,
          subject,
          windowMs: WINDOW.day,
          summary: `${who(r)} used ${r.operation} on vault ${r.vault.name} for the first time in ${ctx.baseline.windowDays} days`,
          ...(first
            ? { baseline: { usualOperations: usualTerms(ctx, `${base}|`, `${base}|${r.operation}`).sort(), windowDays: ctx.baseline.windowDays } }
            : {}),
        });
      },
    };
  },
};
