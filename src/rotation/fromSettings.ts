/**
 * @module The rotation service built from the settings (environment / app settings), as the functions and
 * the CLI run it. Against the local Key Vault it keeps time on the emulator's clock.
 */
import { LocalVaultClock } from "../azure/localClock.js";
import { formatProblem, loadConfig } from "../config/schema.js";
import { RotationService, type RotationServiceOptions } from "./service.js";

const CLOCK_SYNC_MS = 1000;

export async function rotationServiceFromSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: Omit<RotationServiceOptions, "env" | "clock"> = {},
): Promise<RotationService> {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`kvguard is misconfigured:\n${result.problems.map(formatProblem).join("\n")}`);
  const { config } = result;
  if (!config.local) return RotationService.create(config, { ...options, env });
  const clock = new LocalVaultClock(config.vaults[0]!.url, config.local.caPem);
  await clock.sync();
  setInterval(() => void clock.sync().catch(() => undefined), CLOCK_SYNC_MS).unref();
  return RotationService.create(config, { ...options, env, clock });
}
