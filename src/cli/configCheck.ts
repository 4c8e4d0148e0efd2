/** @module `kvguard config check`: every settings problem, one per line, or "config OK" and a summary. */
import { createApp, type AppOptions } from "../app/index.js";
import { formatProblem } from "../config/schema.js";
import { scrubSecrets } from "../config/redact.js";
import { summarizeConfig } from "../config/summary.js";

/** Where the lines go: `process.stdout`, or a collector in tests. */
export interface LineWriter {
  write(chunk: string): unknown;
}

/**
 * Checks the settings and prints the result; nothing printed ever holds a secret value.
 * @param env - the environment to check (the app settings)
 * @param out - where to print
 * @param options - how the CA file is read
 * @returns the exit code: 0 when the config is usable, 1 when a setting needs fixing
 * @example
 * process.exitCode = await configCheck(process.env, process.stdout);
 */
export async function configCheck(
  env: Readonly<Record<string, string | undefined>>,
  out: LineWriter,
  options: Pick<AppOptions, "readFile"> = {},
): Promise<number> {
  const result = await createApp(env, options).settings();
  const lines = result.ok ? ["config OK", ...summarizeConfig(result.config).map((line) => `  ${line}`)] : result.problems.map(formatProblem);
  // loadConfig already scrubs problems; scrubbing again guards the summary too.
  for (const line of lines) out.write(`${scrubSecrets(line, env)}\n`);
  return result.ok ? 0 : 1;
}
