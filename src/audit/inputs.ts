/**
 * @module The lists detectors match against, read from files and settings: threat intel (one IP or CIDR
 * a line, `#` comments), allowed networks, canaries; and suppression rules. Shared by the CLI and the
 * scheduled scan, so both read them the same way.
 */
import { readFile } from "node:fs/promises";
import type { DetectorInputs } from "./detectors/detector.js";
import { parseCidrList } from "../common/network.js";
import { loadSuppressions, Suppressions } from "./suppressions.js";

export interface InputSources {
  threatIntelFile?: string;
  /** Comma-separated or one a line. */
  allowedNetworks?: string;
  canaries?: readonly string[];
  suppressionsFile?: string;
}

/**
 * Reads the inputs.
 * @throws an Error naming the file and line of a bad entry
 */
export async function loadInputs(sources: InputSources): Promise<{ inputs: DetectorInputs; suppressions: Suppressions }> {
  const threatIntel = sources.threatIntelFile
    ? parseCidrList(
        await readFile(sources.threatIntelFile, "utf8").catch((error: Error) => {
          throw new Error(`cannot read threat-intel file ${sources.threatIntelFile}: ${error.message}`, { cause: error });
        }),
        sources.threatIntelFile,
      )
    : [];
  return {
    inputs: {
      threatIntel,
      allowedNetworks: sources.allowedNetworks ? parseCidrList(sources.allowedNetworks, "allowed networks") : [],
      canaries: (sources.canaries ?? []).map((c) => c.toLowerCase()),
    },
    suppressions: sources.suppressionsFile ? await loadSuppressions(sources.suppressionsFile) : new Suppressions(),
  };
}
