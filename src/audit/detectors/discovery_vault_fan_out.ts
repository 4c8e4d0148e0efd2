/** @module Detection row 9: one principal touches more vaults in a day than usual for it. */
import { dayOf } from "../baseline.js";
import { principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "discovery_vault_fan_out",
  name: "Fan-out across vaults",
  tactic: "discovery",
  severity: "medium",
  description: "A principal touches more distinct vaults in one day than both a floor and its own learned daily peak plus a margin.",
  falsePositives: ["Inventory and compliance scanners (suppress them)", "Administrators doing estate-wide changes"],
  references: ["detection.md row 9", "Defender KV_AccountVolumeAnomaly"],
  thresholds: {
    minVaults: { value: 3, description: "distinct vaults in a day below which nothing is flagged" },
    margin: { value: 2, description: "vaults above the principal's learned daily peak" },
  },
  usesBaseline: true,
  handles: (operation) => operation !== "Authentication",
  create: () => {
    const today = new Map<string, { day: number; vaults: Set<string> }>();
    return {
      step(r, ctx) {
        if (ctx.benign || r.operation === "Authentication") return;
        const principal = principalKey(r.principal);
        const day = dayOf(r.timeMs);
        let entry = today.get(principal);
        if (!entry || entry.day !== day) today.set(principal, (entry = { day, vaults: new Set() }));
        const before = entry.vaults.size;
        entry.vaults.add(r.vault.name);
        if (entry.vaults.size === before) return;
        const key = `fan|${principal}`;
        ctx.baseline.peakDaily(key, day, entry.vaults.size);
        if (!ctx.warm) return;
        const learned = ctx.baseline.history(key, day);
        const limit = Math.max(ctx.thresholds.minVaults! - 1, learned.max + ctx.thresholds.margin!);
        if (learned.days === 0 || entry.vaults.size <= limit) return;
        ctx.emit({
          record: r,
          subject: principal,
          windowMs: WINDOW.day,
          vault: "*",
          total: entry.vaults.size,
          summary: `${who(r)} touched ${entry.vaults.size} vaults today (${[...entry.vaults].join(", ")}), against a usual peak of ${learned.max}`,
          baseline: { learnedDailyPeakVaults: learned.max, days: learned.days, limit },
        });
      },
    };
  },
};
