/** @module The `kvguard` command line: one binary, one subcommand per job. */
import { configCheck } from "./configCheck.js";
import { emulatorCommand, emulatorUsage } from "./emulatorCommand.js";
import { historyCommand, rotateCommand, statusCommand, sweepCommand } from "./rotationCommands.js";
import { startCommand } from "./startCommand.js";

const usage = `usage: kvguard <command>

  config check    check the settings (environment / app settings): each problem and its fix
  emulator        serve the local Key Vault (kvguard emulator --help)
  start           the local stack with a demo vault (what \`npm start\` runs)
  rotate V/NAME   rotate one secret now (--key for a key), with the engine's lock and protocol
  sweep           find what is due in every vault and rotate it (--no-run: only enqueue)
  history [V[/N]] rotation history, newest first (--limit N, --json)
  status [VAULT]  per-object rotation status: last success, last error, next due
  audit PATH...   find anomalous access in Key Vault audit logs (files, folders, .gz; kvguard audit --help)
  alert test      send a sample alert to one channel: kvguard alert test --channel NAME [--kind KIND]

${emulatorUsage}`;

type Command = (args: string[], out: NodeJS.WritableStream) => Promise<number>;

const commands: Record<string, Command> = {
  emulator: emulatorCommand,
  start: startCommand,
  rotate: rotateCommand,
  sweep: sweepCommand,
  history: historyCommand,
  status: statusCommand,
  audit: (args, out) => import("./auditCommand.js").then((m) => m.auditCommand(args, out)),
  alert: (args, out) => import("./alertCommand.js").then((m) => m.alertCommand(args, out)),
  config: (args, out) => {
    if (args[0] !== "check") throw new Error(`unknown: config ${args.join(" ")}; did you mean "config check"?`);
    return Promise.resolve(configCheck(process.env, out));
  },
};

export async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command || args.includes("--help")) {
    process.stdout.write(usage + "\n");
    process.exitCode = command || name === "--help" || name === undefined ? 0 : 2;
    return;
  }
  try {
    process.exitCode = await command(args, process.stdout);
  } catch (error) {
    process.stderr.write(`kvguard ${name}: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}

// Run when executed directly (node dist/src/cli/main.js ...), not when imported by bin/kvguard.js.
if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
