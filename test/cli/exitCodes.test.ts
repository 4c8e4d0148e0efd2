/**
 * @module The exit codes docs/cli.md documents are the ones the commands return: for each command, the codes
 * read from its functions' `return` statements (numbers, `a ? n : m`, and `EXIT_*` constants), plus 2, which
 * main.ts gives every thrown error. A command added, or a code added or removed, without the table fails here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** Where each command's code is: file and the functions it runs (those it hands over to included). */
const COMMANDS: Record<string, [file: string, fn: string][]> = {
  "config check": [["src/cli/configCheck.ts", "configCheck"]],
  emulator: [["dev/emulatorCommand.ts", "emulatorCommand"]],
  start: [["dev/startCommand.ts", "startCommand"]],
  rotate: [
    ["src/cli/rotationCommands.ts", "rotateCommand"],
    ["src/cli/checkCommand.ts", "checkCommand"],
  ],
  sweep: [["src/cli/rotationCommands.ts", "sweepCommand"]],
  history: [["src/cli/rotationCommands.ts", "historyCommand"]],
  status: [
    ["src/cli/rotationCommands.ts", "statusCommand"],
    ["src/cli/statusPageCommand.ts", "statusPageCommand"],
    ["src/cli/certificateStatus.ts", "printCertificates"],
  ],
  plan: [["src/cli/planCommand.ts", "planCommand"]],
  consumers: [["src/cli/consumersCommand.ts", "consumersCommand"]],
  csr: [["src/cli/csrCommand.ts", "csrCommand"]],
  audit: [["src/cli/auditCommand.ts", "auditCommand"]],
  "alert test": [["src/cli/alertCommand.ts", "alertCommand"]],
  report: [["src/cli/reportCommand.ts", "reportCommand"]],
  doctor: [["src/cli/doctorCommand.ts", "doctorCommand"]],
  export: [["src/cli/exportCommand.ts", "exportCommand"]],
};

/** The `EXIT_*` constants of the CLI's files, by name. */
function exitConstants(): Map<string, number> {
  const found = new Map<string, number>();
  for (const file of new Set(Object.values(COMMANDS).flatMap((c) => c.map(([f]) => f)))) {
    for (const m of read(file).matchAll(/const (EXIT_[A-Z_]+) = (\d+);/g)) found.set(m[1]!, Number(m[2]));
  }
  return found;
}

function returnedCodes(file: string, fn: string, constants: Map<string, number>): number[] {
  const text = read(file);
  const start = text.indexOf(`export async function ${fn}(`);
  expect(start, `${fn} in ${file}`).toBeGreaterThanOrEqual(0);
  const body = text.slice(start, text.indexOf("\n}\n", start));
  const codes: number[] = [];
  for (const m of body.matchAll(/return ([^;]+);/g)) {
    const expression = m[1]!;
    if (/^\d+$/.test(expression)) codes.push(Number(expression));
    for (const c of expression.matchAll(/\? (\w+) : (\w+)$/g)) for (const v of [c[1]!, c[2]!]) codes.push(/^\d+$/.test(v) ? Number(v) : constants.get(v)!);
    if (constants.has(expression)) codes.push(constants.get(expression)!);
  }
  return codes;
}

/** The table of docs/cli.md's "Output and exit codes": command → the codes its last column names. */
function documented(): Map<string, number[]> {
  const doc = read("docs/cli.md");
  const section = doc.slice(doc.indexOf("## Output and exit codes"));
  const rows = new Map<string, number[]>();
  for (const line of section.split("\n")) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const name = /^`([a-z ]+)`$/.exec(cells[1] ?? "")?.[1];
    if (!name) continue;
    rows.set(
      name,
      [...cells[3]!.matchAll(/`(\d+)`/g)].map((m) => Number(m[1])),
    );
  }
  return rows;
}

describe("docs/cli.md's exit codes", () => {
  const table = documented();
  const constants = exitConstants();

  it("has a row for every command main.ts runs", () => {
    const main = read("src/cli/main.ts");
    const names = [...main.matchAll(/^ {2}(\w+): \(args, out\)/gm)].map((m) => (m[1] === "config" ? "config check" : m[1] === "alert" ? "alert test" : m[1]!));
    expect([...table.keys()].sort()).toEqual(names.sort());
    expect(Object.keys(COMMANDS).sort()).toEqual(names.sort());
  });

  it.each(Object.entries(COMMANDS))("%s: the codes its code returns, and 2 for an error", (name, functions) => {
    const codes = new Set([2, ...functions.flatMap(([file, fn]) => returnedCodes(file, fn, constants))]);
    expect(table.get(name)).toEqual([...codes].sort());
  });
});
