/**
 * @module The policy file as the engine reads it: again on every sweep and job (the operator's changes, and a
 * binding added after start, apply without a restart), keeping the last good version in this process. A file
 * that cannot be read or parsed then keeps the last good one, with an alert, instead of stopping every trigger;
 * only a process that never read it well gives every object the file's error.
 */
import { randomUUID } from "node:crypto";
import type { Alert } from "../alerts/alert.js";
import { ensureError } from "../common/errors.js";
import { brokenPolicyFile, EMPTY_POLICY_FILE, loadPolicyFile, type PolicyFile } from "./policyFile.js";

const lastGood = new Map<string, PolicyFile>();

export class PolicySource {
  #alerted: string | undefined;

  constructor(
    readonly location: string | undefined,
    private readonly readBlob: (container: string, name: string) => Promise<string>,
    private readonly log: (line: string) => void,
    /** Where the "kept the last good one" alert goes (the app's alerting; none when alerting is off). */
    private readonly alert: (alerts: readonly Alert[]) => Promise<unknown> = () => Promise.resolve(),
  ) {}

  async current(): Promise<PolicyFile> {
    if (!this.location) return EMPTY_POLICY_FILE;
    let problem: string;
    try {
      const file = await loadPolicyFile(this.location, this.readBlob);
      if (!file.broken) {
        lastGood.set(this.location, file);
        this.#alerted = undefined;
        return file;
      }
      problem = file.broken;
    } catch (error) {
      problem = `policy file ${this.location} cannot be read: ${ensureError(error).message}`;
    }
    const good = lastGood.get(this.location);
    if (!good) return brokenPolicyFile(problem);
    if (this.#alerted !== problem) {
      this.#alerted = problem;
      this.log(`${problem}; kvguard keeps the last good policy file it read`);
      await this.alert([
        {
          id: randomUUID(),
          kind: "rotation-failed",
          severity: "high",
          dedupKey: `policy-file|${this.location}`.toLowerCase(),
          title: "The rotation policy file cannot be used: kvguard keeps the last good one",
          vault: "kvguard",
          at: new Date().toISOString(),
          explanation: `${problem}. Rotations go on under the last policy file kvguard read well, until the file is fixed.`,
        },
      ]);
    }
    return good;
  }
}
