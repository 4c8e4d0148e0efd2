/**
 * @module `kvguard plan [--days N] [--json]`: what will rotate, expire or be revoked in the next N days, per
 * vault, problems first. Policy messages quote tags: every line goes through `lineWriter`.
 */
import { parseArgs } from "node:util";
import { lineWriter } from "../common/logText.js";
import { planSourcesOf } from "../plan/fromService.js";
import { buildPlan, type Plan } from "../plan/plan.js";
import { createApp } from "../app/index.js";

export function planLines(plan: Plan): string[] {
  const lines = [`plan for the ${plan.days} days from ${plan.generatedAt} to ${plan.until}`];
  for (const v of plan.vaults) {
    if (v.error) {
      lines.push(`vault ${v.vault}: could not be read: ${v.error}`);
      continue;
    }
    lines.push(`vault ${v.vault}: ${v.problems.length} problems, ${v.items.length} planned`);
    for (const p of v.problems) lines.push(`  ! ${p.problem.padEnd(14)} ${p.kind.padEnd(6)} ${p.name}: ${p.message}`);
    for (const i of v.items)
      lines.push(`  ${i.overdue ? "overdue now        " : i.at.slice(0, 19)} ${i.action.padEnd(7)} ${i.kind.padEnd(6)} ${i.name}: ${i.why}`);
  }
  return lines;
}

export async function planCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({ args, options: { days: { type: "string", default: "30" }, json: { type: "boolean" } } });
  const days = Number(values.days);
  const print = lineWriter(out);
  const service = await createApp(process.env, { log: print }).rotation();
  const plan = await buildPlan(await planSourcesOf(service), days);
  if (values.json) print(JSON.stringify(plan));
  else for (const line of planLines(plan)) print(line);
  // Non-zero when something will fail or could not be read, so a pipeline can stop on it.
  return plan.vaults.some((v) => v.error || v.problems.length) ? 1 : 0;
}
