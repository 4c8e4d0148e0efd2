/**
 * @module `kvguard rotate`, `sweep`, `history` and `status`: the rotation engine from the command line,
 * against the vaults and storage the settings name (local or Azure alike). History messages, statuses and
 * errors can quote tags: every line is printed through `lineWriter` (one escaped line each).
 */
import { parseArgs } from "node:util";
import { lineWriter } from "../common/logText.js";
import { createApp, type App } from "../app/index.js";
import type { KillPoint } from "../rotation/engine.js";
import type { RotationService } from "../rotation/service.js";
import { drainQueue } from "../state/queueWorker.js";

type Out = NodeJS.WritableStream;

/**
 * Test-only fault injection: `KVGUARD_CRASH_AFTER_STEP=set` kills this process (SIGKILL, no cleanup) right
 * after that step (or at one of the engine's other kill points, `create-at-target`, `set-at-target`), so the
 * crash-safety tests can prove a rerun finishes the rotation.
 */
function crashHook(): ((step: KillPoint) => void) | undefined {
  const at = process.env.KVGUARD_CRASH_AFTER_STEP;
  return at ? (step) => void (step === at && process.kill(process.pid, "SIGKILL")) : undefined;
}

function cliApp(out: Out): App {
  const afterStep = crashHook();
  // The hook is the tests' kill point, not an app setting: the config check would refuse it as an unknown KVGUARD_ name.
  const { KVGUARD_CRASH_AFTER_STEP: _hook, ...settings } = process.env;
  return createApp(settings, { log: lineWriter(out), ...(afterStep ? { afterStep } : {}) });
}

function service(out: Out): Promise<RotationService> {
  return cliApp(out).rotation();
}

function target(arg: string | undefined): { vault: string; name: string } {
  const [vault, name, extra] = (arg ?? "").split("/");
  if (!vault || !name || extra !== undefined) throw new Error(`name the object as VAULT/NAME, got "${arg ?? ""}"`);
  return { vault, name };
}

export async function rotateCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { key: { type: "boolean" }, certificate: { type: "boolean" }, json: { type: "boolean" }, check: { type: "boolean" } },
    allowPositionals: true,
  });
  const { vault, name } = target(positionals[0]);
  if (values.check && values.certificate) throw new Error("rotate --check proves a secret's or key's rotation; a certificate's renewal has no dry run");
  if (values.check)
    return (await import("./checkCommand.js")).checkCommand(await service(out), vault, name, values.key ? "key" : "secret", values.json === true, out);
  const result = await (await service(out)).rotateNow(vault, name, values.key ? "key" : values.certificate ? "certificate" : "secret");
  lineWriter(out)(values.json ? JSON.stringify(result) : `${vault}/${name}: ${result.outcome}: ${result.message}`);
  // A refusal is not a success: scripts see it (the message names the setting that would allow it).
  return result.outcome === "refused" ? 1 : 0;
}

export async function sweepCommand(args: string[], out: Out): Promise<number> {
  const { values } = parseArgs({ args, options: { "no-run": { type: "boolean" }, json: { type: "boolean" } } });
  const svc = await service(out);
  const print = lineWriter(out);
  const report = await svc.sweep();
  let failed = 0;
  if (!values["no-run"]) {
    // The same jobs the queue-triggered worker would run, run here until the queue is empty.
    const drained = await drainQueue(svc.queue, (m) => svc.processMessage(m.text).then(() => undefined), {
      concurrency: svc.config.rotation.concurrency,
      visibilityTimeoutSeconds: 300,
      poison: svc.poison,
      onError: (error) => print(`job failed: ${(error as Error).message}`),
    });
    failed = drained.failed;
  }
  if (values.json) print(JSON.stringify(report));
  else {
    print(
      `${report.secrets} secrets, ${report.keys} keys, ${report.certificates} certificates: ${report.enqueued} jobs (${report.resumed} resumed, ${report.revokes} revokes)`,
    );
    print(`${report.noPolicy.length} without a rotation policy${report.noPolicy.length ? `: ${report.noPolicy.join(", ")}` : ""}`);
    for (const i of report.invalid) print(`invalid policy ${i.object}: ${i.problems.join("; ")}`);
    if (report.notices) print(`${report.notices} expiry notices`);
    for (const e of report.errors) print(`vault ${e.vault}: ${e.error}`);
  }
  return failed > 0 || report.errors.length > 0 ? 1 : 0;
}

export async function historyCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { limit: { type: "string", default: "50" }, json: { type: "boolean" } }, allowPositionals: true });
  const [vault, name] = (positionals[0] ?? "").split("/");
  const rows = await (await service(out)).history.list({ ...(vault ? { vault } : {}), ...(name ? { name } : {}), limit: Number(values.limit) });
  const print = lineWriter(out);
  for (const row of rows) {
    print(
      values.json
        ? JSON.stringify(row)
        : `${row.at}  ${row.vault}/${row.name}  ${row.step.padEnd(7)} ${row.outcome.padEnd(7)} ${row.message}${row.valueHmac ? `  hmac:${row.valueHmac.slice(0, 12)}` : ""}`,
    );
  }
  return 0;
}

export async function statusCommand(args: string[], out: Out): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: "boolean" }, html: { type: "string" } }, allowPositionals: true });
  if (values.html !== undefined) return (await import("./statusPageCommand.js")).statusPageCommand(cliApp(out), values.html, out);
  const app = cliApp(out);
  const svc = await app.rotation();
  const statuses = await svc.status.list(positionals[0]);
  const print = lineWriter(out);
  if (svc.vaults.size === 0 && !values.json) print((await import("../discovery/discover.js")).noVaultNote((await app.guarded()).config));
  const { consumerCounts, consumerText, FIXED_GRACE_NOTE } = await import("../rotation/revokeGate.js");
  if (!values.json && !svc.engine.deps.revokeGate?.auditAware) print(FIXED_GRACE_NOTE);
  for (const s of statuses) {
    const consumers = consumerText(consumerCounts(s));
    print(
      values.json
        ? JSON.stringify(s)
        : `${s.vault}/${s.name}  ${s.state}  last success ${s.lastSuccessAt ?? "never"}${s.lastError ? `  last error: ${s.lastError}` : ""}${s.nextDueAt ? `  next due ${s.nextDueAt}` : ""}${consumers ? `  ${consumers}` : ""}`,
    );
  }
  return (await import("./certificateStatus.js")).printCertificates(svc, positionals[0], values.json === true, print);
}
