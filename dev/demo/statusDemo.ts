/**
 * @module The status-page part of the `npm start` demo: the page `kvguard status --html` writes, in
 * `out/status/status.html`, from the running stack's app.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { App } from "../../src/app/index.js";
import { statusPageOf } from "../../src/status/fromService.js";
import { renderStatusPage } from "../../src/status/page.js";

export const DEMO_STATUS_PAGE = join("out", "status", "status.html");

/** Writes the page; returns its path and a one-line summary. */
export async function writeDemoStatusPage(app: App, path = join(process.cwd(), DEMO_STATUS_PAGE)): Promise<string> {
  const page = await statusPageOf(app);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderStatusPage(page));
  const planned = page.vaults.reduce((n, v) => n + v.plan.items.length, 0);
  const problems = page.vaults.reduce((n, v) => n + v.plan.problems.length, 0);
  return `status page: ${planned} planned in ${page.days} days, ${problems} problems: ${path}`;
}
