/**
 * Helpers for the rotation suites: a RotationService on a local stack, everything a test captured (CLI
 * output, function logs, service logs, errors, history and status rows), and a scan of all of it for
 * every secret value the local Key Vault holds or ever held.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { InvocationContext } from "@azure/functions";
import type { SecretClient, SecretProperties } from "@azure/keyvault-secrets";
import { expect } from "vitest";
import type { Step } from "../../src/rotation/history.js";
import { createApp, type App, type AppOptions } from "../../src/app/index.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import type { RotationService } from "../../src/rotation/service.js";
import type { RotatorRuntime } from "../../src/rotators/types.js";
import { runCli } from "./cli.js";
import type { LocalStack } from "./localStack.js";
import { flushAudit } from "./localVault.js";

export const PENDING = "--kvguard-pending";

/** Everything a test saw: each text with where it came from. */
export class Capture {
  readonly texts: { where: string; text: string }[] = [];
  /** Values read through the SDK along the way (some versions are disabled later and cannot be read then). */
  readonly values = new Set<string>();

  add(where: string, text: string): void {
    this.texts.push({ where, text });
  }

  /** A service log sink. */
  readonly log = (line: string): void => this.add("service log", line);

  /** A real InvocationContext whose logs land here. */
  context(functionName: string): InvocationContext {
    return new InvocationContext({
      functionName,
      invocationId: `test-${functionName}-${this.texts.length}`,
      logHandler: (level, ...args) => this.add(`${functionName} ${level}`, args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")),
    });
  }

  /** Records a thrown error's message and its JSON form. */
  error(where: string, error: unknown): void {
    this.add(where, error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : JSON.stringify(error));
  }

  /** Runs the built CLI against the stack; stdout and stderr are captured. */
  async cli(stack: LocalStack, args: string[], extraEnv: Record<string, string> = {}, killWhen?: () => boolean) {
    const result = await runCli(args, { ...process.env, ...stack.env, ...extraEnv }, killWhen);
    this.add(`kvguard ${args.join(" ")} stdout`, result.stdout);
    this.add(`kvguard ${args.join(" ")} stderr`, result.stderr);
    return result;
  }
}

/** kvguard's app on the stack's settings and the emulator's clock, logging into the capture. */
export function appFor(stack: LocalStack, capture: Capture, options: Omit<AppOptions, "clock" | "log"> = {}): App {
  return createApp(stack.env, { clock: { nowMs: () => stack.tv.kv.clock.nowMs() }, log: capture.log, ...options });
}

/** The rotation service of a new app on the stack (alerting wired as the settings say), logging into the capture. */
export function serviceFor(stack: LocalStack, capture: Capture, options: Omit<AppOptions, "clock" | "log"> = {}): Promise<RotationService> {
  return appFor(stack, capture, options).rotation();
}

/** SDK clients acting as kvguard's development identity. */
/** A rotation a crash test stops right after `step`, then reruns by hand (`rotateNow`) or as the sweep does. */
export interface StoppedCase {
  secret: string;
  step: Step;
  rerun?: "rotateNow" | "resume";
}

/**
 * A service whose engine throws right after each case's step: an in-process stand-in for a kill, with the
 * pending credential already persisted in Key Vault.
 */
export function stoppingService(stack: LocalStack, capture: Capture, cases: readonly StoppedCase[]): Promise<RotationService> {
  return serviceFor(stack, capture, {
    afterStep: (step, job) => {
      const c = cases.find((x) => x.secret === job.name);
      if (c && step === c.step) throw new Error(`stopped after ${step}`);
    },
  });
}

/** Stops each case's rotation right after its step and checks its pending credential is left open in Key Vault. */
export async function stopEachAfterItsStep(stack: LocalStack, capture: Capture, cases: readonly StoppedCase[]): Promise<void> {
  const stopping = await stoppingService(stack, capture, cases);
  for (const c of cases) {
    await expect(stopping.rotateNow("local", c.secret)).rejects.toThrow(`stopped after ${c.step}`);
    const pending = await kvguardSecrets(stack).getSecret(`${c.secret}${PENDING}`);
    capture.values.add(pending.value!);
    expect(pending.properties.tags?.["kvguard-state"], c.secret).toBe("open");
  }
}

/** Reruns a stopped rotation: `rotateNow`, or the resume job the sweep enqueues for an open pending credential. */
export async function rerunStopped(service: RotationService, c: StoppedCase): Promise<string> {
  if (c.rerun !== "resume") return (await service.rotateNow("local", c.secret)).outcome;
  return (await service.engine.run({ v: 1, kind: "secret", vault: "local", name: c.secret, trigger: "resume", requestedAt: new Date().toISOString() })).outcome;
}

export function kvguardSecrets(stack: LocalStack, vault?: string): SecretClient {
  return stack.tv.clients({ name: "kvguard" }, vault).secrets;
}

/**
 * The login a SQL secret holds in Key Vault now: for a single user, the `CredentialId` tag and the value;
 * otherwise the JSON value's username and password. Its text is added to the capture.
 */
export async function liveLogin(
  secrets: SecretClient,
  capture: Capture,
  c: { secret: string; strategy: string },
): Promise<{ username: string; password: string }> {
  const live = await secrets.getSecret(c.secret);
  capture.values.add(live.value!);
  if (c.strategy === "single") return { username: live.properties.tags!.CredentialId!, password: live.value! };
  const json = JSON.parse(live.value!) as { username: string; password: string };
  capture.values.add(json.password);
  return json;
}

export async function versionsOf(secrets: SecretClient, name: string): Promise<SecretProperties[]> {
  const out: SecretProperties[] = [];
  for await (const p of secrets.listPropertiesOfSecretVersions(name)) out.push(p);
  return out;
}

/** Pending companions still open in a vault (by their tags; values are never listed). */
export async function openPendings(secrets: SecretClient): Promise<string[]> {
  const open: string[] = [];
  for await (const p of secrets.listPropertiesOfSecrets()) {
    if (p.name.endsWith(PENDING) && p.tags?.["kvguard-state"] === "open") open.push(p.name);
  }
  return open;
}

/** Reads every readable version's value of every secret through the SDK into the capture's value set. */
export async function readValues(secrets: SecretClient, capture: Capture): Promise<void> {
  for await (const p of secrets.listPropertiesOfSecrets()) {
    for await (const v of secrets.listPropertiesOfSecretVersions(p.name)) {
      if (v.enabled === false) continue;
      const secret = await secrets.getSecret(p.name, { version: v.version! }).catch(() => undefined);
      if (secret?.value) capture.values.add(secret.value);
    }
  }
}

/** Every value the emulator's vaults hold, disabled and deleted versions included. */
export function emulatorValues(stack: LocalStack): string[] {
  const values: string[] = [];
  for (const vault of stack.tv.kv.vaults.values()) {
    const snapshot = vault.secrets.snapshot();
    for (const entry of [...snapshot.live, ...snapshot.deleted]) for (const v of entry.versions) values.push(v.value);
  }
  return values;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

export interface AuditLine {
  operationName: string;
  resultSignature: string;
  properties: { httpStatusCode: number; requestUri: string };
}

/** The emulator's audit records of every request answered so far. */
export async function auditRecords(stack: LocalStack): Promise<AuditLine[]> {
  await flushAudit(stack.tv.kv);
  const texts = await Promise.all((await filesUnder(stack.tv.kv.audit.rootDir)).map((f) => readFile(f, "utf8")));
  return texts.flatMap((t) =>
    t
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditLine),
  );
}

/**
 * Reads every history and status row (and the emulator's audit logs) into the capture, then asserts that
 * no secret value (read through the SDK, or held by the emulator) appears in anything captured.
 */
export async function expectNoSecretValues(stack: LocalStack, capture: Capture, service: RotationService): Promise<void> {
  for (const vault of stack.config.vaults) await readValues(kvguardSecrets(stack, vault.name), capture);
  const history = await service.history.list();
  const statuses = await service.status.list();
  capture.add("history rows", JSON.stringify(history));
  capture.add("status rows", JSON.stringify(statuses));
  await flushAudit(stack.tv.kv);
  for (const file of await filesUnder(stack.tv.kv.audit.rootDir)) capture.add(`audit ${file}`, await readFile(file, "utf8"));
  const values = new Set([...capture.values, ...emulatorValues(stack)].filter((v) => v.length >= 8));
  expect(values.size).toBeGreaterThan(0);
  expect(history.length).toBeGreaterThan(0);
  const leaks: string[] = [];
  for (const { where, text } of capture.texts) {
    for (const value of values) if (text.includes(value)) leaks.push(`${where} holds a secret value`);
  }
  expect(leaks).toEqual([]);
}

/** Key Vault's wire shape of a SecretNearExpiry (or other) event for one secret version. */
export function vaultEvent(
  stack: LocalStack,
  init: { id: string; name: string; version: string; type?: string; vault?: string },
): { id: string; eventType: string; topic: string; subject: string; data: Record<string, unknown>; dataVersion: string; eventTime: string } {
  const vaultName = init.vault ?? stack.config.vaults[0]!.name;
  const vault = stack.tv.kv.vaults.get(vaultName.toLowerCase());
  const topic =
    vault?.resourceId ?? `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/elsewhere/providers/Microsoft.KeyVault/vaults/${vaultName}`;
  const url = vault?.url ?? `https://${vaultName}.vault.azure.net`;
  return {
    id: init.id,
    eventType: init.type ?? "Microsoft.KeyVault.SecretNearExpiry",
    topic,
    subject: init.name,
    dataVersion: "1",
    eventTime: new Date().toISOString(),
    data: {
      Id: `${url}/secrets/${init.name}/${init.version}`,
      VaultName: vaultName,
      ObjectType: "Secret",
      ObjectName: init.name,
      Version: init.version,
      NBF: null,
      EXP: null,
    },
  };
}

/** Independent check of a `random` value against its policy (not the rotator's own check). */
export function meetsPolicy(value: string, policy: { length: number; classes: ("upper" | "lower" | "digit" | "symbol")[]; exclude?: string }): boolean {
  const tests = { upper: /[A-Z]/, lower: /[a-z]/, digit: /[0-9]/, symbol: /[^A-Za-z0-9]/ };
  const allowed = { upper: /^[A-Z]$/, lower: /^[a-z]$/, digit: /^[0-9]$/, symbol: /^[!#$%()*+,\-./:;<=>?@[\]^_{|}~]$/ };
  const chars = [...value];
  return (
    chars.length === policy.length &&
    policy.classes.every((c) => tests[c].test(value)) &&
    chars.every((ch) => policy.classes.some((c) => allowed[c].test(ch))) &&
    !chars.some((ch) => (policy.exclude ?? "").includes(ch))
  );
}

/** A rotator runtime for rotators that never reach past the vault (their unit tests): Azure's public endpoints. */
export const OFFLINE_RUNTIME: RotatorRuntime = {
  credential: new DevTokenCredential({ name: "kvguard" }),
  cloud: { armEndpoint: "https://management.azure.com", graphEndpoint: "https://graph.microsoft.com", authorityHost: "https://login.microsoftonline.com" },
};
