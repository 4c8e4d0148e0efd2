/** @module `kvguard rotate VAULT/NAME --check`: the test-only rotation's report, one line per step. */
import { lineWriter } from "../common/logText.js";
import { checkRotation } from "../plan/check.js";
import type { RotationService } from "../rotation/service.js";

export async function checkCommand(
  service: RotationService,
  vault: string,
  name: string,
  kind: "secret" | "key",
  json: boolean,
  out: NodeJS.WritableStream,
): Promise<number> {
  const report = await checkRotation(service, vault, name, kind);
  const print = lineWriter(out);
  if (json) print(JSON.stringify(report));
  else {
    print(`${report.vault}/${report.name}: check ${report.ok ? "passed" : "FAILED"}; nothing was changed`);
    for (const s of report.steps) print(`  ${s.ok ? "ok    " : "FAILED"} ${s.check}: ${s.detail}`);
  }
  return report.ok ? 0 : 1;
}
