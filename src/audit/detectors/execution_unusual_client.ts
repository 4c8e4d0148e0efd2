/** @module Detection row 14: a client (user-agent product) a principal had not used in the baseline window. */
import { principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { DayMemo } from "./dayMemo.js";
import { FirstPerDay, isNewTermForKnownPrincipal, usualTerms } from "./newTerm.js";
import { WINDOW, startOf } from "./operations.js";

const products = new Map<string, string>();

/** The product part of a user agent (`azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/…` → `azsdk-js-keyvault-secrets`). */
export function clientProduct(client: string): string {
  let product = products.get(client);
  if (product === undefined) {
    const first = client.trim().split(/\s+/)[0] ?? "";
    product = (first.split("/")[0] ?? "").toLowerCase() || "(none)";
    if (products.size > 100_000) products.clear();
    products.set(client, product);
  }
  return product;
}

export const detector: Detector = {
  id: "execution_unusual_client",
  name: "Unusual client for the principal",
  tactic: "execution",
  severity: "low",
  description: "A principal with history calls with a client (user-agent product) it had not used in the baseline window.",
  falsePositives: ["SDK upgrades that rename the user agent", "Operators switching between the portal, CLI and PowerShell"],
  references: ["detection.md row 14", "GuardDuty PenTest:IAMUser/*"],
  thresholds: { minHistoryDays: { value: 3, description: "days the principal must have been seen before a new client counts" } },
  usesBaseline: true,
  handles: (operation) => operation !== "Authentication",
  create: () => {
    const described = new FirstPerDay();
    const verdicts = new DayMemo<boolean>();
    return {
      step(r, ctx) {
        if (ctx.benign || r.operation === "Authentication") return;
        const principal = principalKey(r.principal);
        const today = startOf(r.timeMs, WINDOW.day);
        let isUnusual = verdicts.get(today, principal, r.client);
        // Key strings are built only on the first sighting of the day.
        const base = isUnusual === undefined || isUnusual ? `client|${principal}` : "";
        isUnusual ??= verdicts.remember(isNewTermForKnownPrincipal(ctx, r, today, `${base}|${clientProduct(r.client)}`, base));
        if (!ctx.warm || !isUnusual) return;
        const product = clientProduct(r.client);
        const subject = `${principal}|${product}`;
        const first = described.first(subject, today);
        ctx.emit({
          record: r,
          subject,
          windowMs: WINDOW.day,
          summary: `${who(r)} called vault ${r.vault.name} with a client it had not used in ${ctx.baseline.windowDays} days: ${product}`,
          ...(first
            ? { baseline: { usualClients: usualTerms(ctx, `${base}|`, `${base}|${product}`).sort().slice(0, 10), windowDays: ctx.baseline.windowDays } }
            : {}),
        });
      },
    };
  },
};
