/**
 * @module The `kvguard` command line: one binary, one subcommand per job. Each command's module loads only
 * when it runs: together they pull in every SDK and database driver, seconds of start-up for `--help`.
 */
import { indentedLines } from "../common/logText.js";

const usage = `usage: kvguard <command>

  config check    check the settings (environment / app settings): each problem and its fix
  emulator        serve the local Key Vault (kvguard emulator --help)
  start           the local stack with a demo vault (what \`npm start\` runs)
  rotate V/NAME   rotate one secret now (--key for a key), with the engine's lock and protocol
                  --check: test the current and managing credentials and the target, change nothing
  sweep           find what is due in every vault and rotate it (--no-run: only enqueue)
  history [V[/N]] rotation history, newest first (--limit N, --json)
  status [VAULT]  per-object rotation status: last success, last error, next due (--html FILE: the status page)
  csr V/NAME      the CSR a certificate's pending operation holds, as PEM (to have it signed, then merge)
  plan            what rotates, expires or is revoked in the next days, problems first (--days N, --json)
  consumers V/N   who read a secret (--key: a key) in the audit log, and which versions (--days N, --json)
  audit PATH...   find anomalous access in Key Vault audit logs (files, folders, .gz; kvguard audit --help)
  alert test      send a sample alert to one channel: kvguard alert test --channel NAME [--kind KIND]
  report          compliance report: [--vault V] [--framework cis|pci|mcsb|azure-policy] [--format html,csv,json,pdf] [--out DIR]
  doctor          check a deployed environment or the local stack: settings, roles, storage, audit sources
  export          send new rotation history, findings and reports to Event Grid and Log Analytics once [--reports DIR]
`;

type Command = (args: string[], out: NodeJS.WritableStream) => Promise<number>;

const rotation = () => import("./rotationCommands.js");

const commands: Record<string, Command> = {
  emulator: (args, out) => import("../../dev/emulatorCommand.js").then((m) => m.emulatorCommand(args, out)),
  start: (args, out) => import("../../dev/startCommand.js").then((m) => m.startCommand(args, out)),
  rotate: (args, out) => rotation().then((m) => m.rotateCommand(args, out)),
  sweep: (args, out) => rotation().then((m) => m.sweepCommand(args, out)),
  csr: (args, out) => import("./csrCommand.js").then((m) => m.csrCommand(args, out)),
  plan: (args, out) => import("./planCommand.js").then((m) => m.planCommand(args, out)),
  history: (args, out) => rotation().then((m) => m.historyCommand(args, out)),
  status: (args, out) => rotation().then((m) => m.statusCommand(args, out)),
  audit: (args, out) => import("./auditCommand.js").then((m) => m.auditCommand(args, out)),
  consumers: (args, out) => import("./consumersCommand.js").then((m) => m.consumersCommand(args, out)),
  alert: (args, out) => import("./alertCommand.js").then((m) => m.alertCommand(args, out)),
  report: (args, out) => import("./reportCommand.js").then((m) => m.reportCommand(args, out)),
  doctor: (args, out) => import("./doctorCommand.js").then((m) => m.doctorCommand(args, out)),
  export: (args, out) => import("./exportCommand.js").then((m) => m.exportCommand(args, out)),
  config: (args, out) => {
    if (args[0] !== "check") throw new Error(`unknown: config ${args.join(" ")}; did you mean "config check"?`);
    return import("./configCheck.js").then((m) => m.configCheck(process.env, out));
  },
};

export async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command || args.includes("--help")) {
    const { emulatorUsage } = await import("../../dev/emulatorCommand.js");
    process.stdout.write(`${usage}\n${emulatorUsage}\n`);
    process.exitCode = command || name === "--help" || name === undefined ? 0 : 2;
    return;
  }
  try {
    process.exitCode = await command(args, process.stdout);
  } catch (error) {
    // An error can quote a tag or a driver's reply: its lines are escaped, continuations indented.
    process.stderr.write(`kvguard ${name}: ${indentedLines((error as Error).message)}\n`);
    process.exitCode = 2;
  }
}

// Run when executed directly (node dist/src/cli/main.js ...), not when imported by bin/kvguard.js.
if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
