/** @module Detection row 14: a client (user-agent product) a principal had not used in the baseline window. */
import { principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { DayMemo } from "./dayMemo.js";
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
  create: () => {
    // The usual set is listed once per finding, not for each of its records.
    const described = new Set<string>();
    const verdicts = new DayMemo<boolean>();
    return {
    step(r, ctx) {
      if (ctx.benign || r.operation === "Authentication") return;
      const principal = principalKey(r.principal);
      const today = startOf(r.timeMs, WINDOW.day);
      const isUnusual = verdicts.get(today, principal, r.client, "", () => {
        const base = `client|${principal}`;
        const isNew = ctx.baseline.see(`${base}|${clientProduct(r.client)}`, today, r.timeMs);
        const since = ctx.baseline.firstSeenThenTouch(base, r.timeMs);
        return isNew && since !== undefined && r.timeMs - since >= ctx.thresholds.minHistoryDays! * WINDOW.day;
      });
      if (!ctx.warm || !isUnusual) return;
      const product = clientProduct(r.client);
      const base = `client|${principal}`;
      const key = `${base}|${product}`;
      const subject = `${principal}|${product}`;
      const first = !described.has(`${subject}|${today}`) && described.add(`${subject}|${today}`);
      const usual: string[] = [];
      if (first) for (const k of ctx.baseline.seen.keys()) if (k.startsWith(`${base}|`) && k !== key) usual.push(k.slice(base.length + 1));
      ctx.emit({
        record: r,
        subject,
        windowMs: WINDOW.day,
        summary: `${who(r)} called vault ${r.vault.name} with a client it had not used in ${ctx.baseline.windowDays} days: ${product}`,
        ...(first ? { baseline: { usualClients: usual.sort().slice(0, 10), windowDays: ctx.baseline.windowDays } } : {}),
      });
    },
    };
  },
};
