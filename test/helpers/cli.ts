/** Runs the built `kvguard` CLI (npm test builds first) as a child process. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

export const CLI = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** The first line the command printed on stdout, parsed as JSON. */
  ready: Record<string, unknown>;
  stop(): Promise<number | null>;
}

/** Starts a long-running command and waits for its JSON ready line. */
export async function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: "pipe" });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, "line").then(([line]) => line as string),
    once(child, "exit").then(([code]) => {
      throw new Error(`kvguard ${args.join(" ")} exited ${code}: ${stderr}`);
    }),
  ]);
  return {
    child,
    ready: JSON.parse(first) as Record<string, unknown>,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      return code;
    },
  };
}

/** Runs the built CLI to completion; with `killWhen`, SIGKILLs it (no cleanup, as a crash) as soon as that says so. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  killWhen?: () => boolean,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, "exit") as Promise<[number | null]>;
  const poll = killWhen && setInterval(() => killWhen() && child.kill("SIGKILL"), 50);
  const [code] = await exited.finally(() => clearInterval(poll));
  return { code, stdout, stderr };
}
