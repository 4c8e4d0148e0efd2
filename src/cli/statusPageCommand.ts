/** @module `kvguard status --html FILE`: the status page written to a file. */
import { writeFile } from "node:fs/promises";
import { lineWriter } from "../common/logText.js";
import type { App } from "../app/index.js";
import { statusPageOf } from "../status/fromService.js";
import { renderStatusPage } from "../status/page.js";

export async function statusPageCommand(app: App, file: string, out: NodeJS.WritableStream): Promise<number> {
  const page = await statusPageOf(app);
  await writeFile(file, renderStatusPage(page));
  const print = lineWriter(out);
  print(`wrote ${file}: ${page.vaults.length} vaults, ${page.vaults.reduce((n, v) => n + v.plan.items.length, 0)} planned in ${page.days} days`);
  for (const u of page.unavailable) print(`not shown: ${u.source}: ${u.problem}`);
  return 0;
}
