/**
 * @module `kvguard doctor [--format text|json] [--send-test-alert] [--timeout SECONDS]`: checks a deployed
 * environment (or the local stack) with the settings in the environment and reports each check as ok or
 * failed with its fix. Exit code 0 when nothing failed, 1 otherwise.
 */
import { parseArgs } from "node:util";
import { runDoctor } from "../doctor/doctor.js";
import { doctorReport, formatJson, formatText } from "../doctor/report.js";

export const doctorUsage = "kvguard doctor [--format text|json] [--send-test-alert] [--timeout SECONDS]";

export async function doctorCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      format: { type: "string", default: "text" },
      "send-test-alert": { type: "boolean", default: false },
      timeout: { type: "string", default: "30" },
    },
  });
  if (values.format !== "text" && values.format !== "json") throw new Error(`--format ${values.format} is not text or json; usage: ${doctorUsage}`);
  const seconds = Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--timeout ${values.timeout} is not a number of seconds; usage: ${doctorUsage}`);
  const checks = await runDoctor(process.env, { timeoutMs: seconds * 1000, sendTestAlert: values["send-test-alert"] });
  const report = doctorReport(checks);
  out.write(values.format === "json" ? formatJson(report, process.env) : formatText(report, process.env));
  return report.ok ? 0 : 1;
}
