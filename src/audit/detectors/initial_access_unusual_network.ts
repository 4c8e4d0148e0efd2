/** @module Detection row 12: a known principal calling from a network (/24, /48) it had not used in the window. */
import { isSuccess, principalKey } from "../record.js";
import { who } from "../finding.js";
import { networkOf } from "../../common/network.js";
import type { Detector } from "./detector.js";
import { DayMemo } from "./dayMemo.js";
import { FirstPerDay, isNewTermForKnownPrincipal, usualTerms } from "./newTerm.js";
import { WINDOW, startOf } from "./operations.js";

export const detector: Detector = {
  id: "initial_access_unusual_network",
  name: "Unusual source network for the principal",
  tactic: "initial_access",
  severity: "medium",
  description: "A principal with history succeeds from a /24 (IPv4) or /48 (IPv6) network it had not used in the baseline window.",
  falsePositives: ["Apps moved to new hosts or scaled into a new subnet", "Users on travel or a new VPN exit"],
  references: ["detection.md row 12", "Defender KV_UnusualAccessSuspiciousIP"],
  thresholds: { minHistoryDays: { value: 3, description: "days the principal must have been seen before a new network counts" } },
  usesBaseline: true,
  create: () => {
    const described = new FirstPerDay();
    const verdicts = new DayMemo<boolean>();
    return {
      step(r, ctx) {
        if (ctx.benign || !isSuccess(r)) return;
        const network = networkOf(r.ip);
        if (!network) return;
        const principal = principalKey(r.principal);
        const today = startOf(r.timeMs, WINDOW.day);
        let isUnusual = verdicts.get(today, principal, network);
        // Key strings are built only on the first sighting of the day.
        const key = isUnusual === undefined || isUnusual ? `net|${principal}|${network}` : "";
        isUnusual ??= verdicts.remember(isNewTermForKnownPrincipal(ctx, r, today, key, `net-known|${principal}`));
        if (!ctx.warm || !isUnusual) return;
        const subject = `${principal}|${network}`;
        const networks = described.first(subject, today) ? usualTerms(ctx, `net|${principal}|`, key) : [];
        ctx.emit({
          record: r,
          subject,
          windowMs: WINDOW.day,
          summary: `${who(r)} called vault ${r.vault.name} from ${r.ip}, a network not seen for it in ${ctx.baseline.windowDays} days`,
          ...(networks.length > 0 ? { baseline: { knownNetworks: networks.slice(0, 10), windowDays: ctx.baseline.windowDays } } : {}),
        });
      },
    };
  },
};
