/**
 * @module The rotation service built from the settings (environment / app settings), as the functions and
 * the CLI run it. Against the local Key Vault it keeps time on the emulator's clock.
 */
import { LocalVaultClock } from "../azure/localClock.js";
import { printErrorLine } from "../common/logText.js";
import { formatProblem, loadConfig } from "../config/schema.js";
import { RotationService, type RotationServiceOptions } from "./service.js";

const CLOCK_SYNC_MS = 1000;

export async function rotationServiceFromSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: Omit<RotationServiceOptions, "env" | "clock"> = {},
): Promise<RotationService> {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`kvguard is misconfigured:\n${result.problems.map(formatProblem).join("\n")}`);
  // Vaults found by tag through ARM join the listed ones; what discovery could not read is logged, not fatal.
  let { config } = result;
  if (config.discovery) {
    const { discoverVaults, withDiscovered } = await import("../discovery/discover.js");
    const discovery = await discoverVaults(config);
    for (const problem of discovery.problems) (options.log ?? printErrorLine)(`vault discovery: ${problem}`);
    config = withDiscovered(config, discovery);
  }
  if (!config.local) return RotationService.create(config, { ...options, env });
  const clock = new LocalVaultClock(config.vaults[0]!.url, config.local.caPem);
  await clock.sync();
  setInterval(() => void clock.sync().catch(() => undefined), CLOCK_SYNC_MS).unref();
  return RotationService.create(config, { ...options, env, clock });
}
