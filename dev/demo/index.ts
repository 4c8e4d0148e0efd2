/**
 * @module The demos `npm start` plays beside the demo vault's own objects: the audit demo (ordinary days,
 * then attacks, then auditScan's findings), a PostgreSQL role, an Azurite storage account and an Entra
 * application whose credentials rotate and are proved at their target after each rotation, App Service sites
 * reading api-token through a Key Vault reference (one refreshed by kvguard after each rotation), and a compliance
 * report in out/reports/. A demo that cannot start says why and the others go on: the stack is the product.
 */
import { join } from "node:path";
import { ensureError } from "../../src/common/errors.js";
import type { LineWriter } from "../runner/invocation.js";
import type { Stack } from "../stack.js";
import { startAppServiceDemo } from "./appServiceDemo.js";
import { attackDemoSettings, start as startAttackDemo } from "./attackDemo.js";
import { startEntraDemo } from "./entraDemo.js";
import { demoOperatorSettings } from "./operatorPolicy.js";
import { startPostgresDemo } from "./postgresDemo.js";
import { writeDemoReport } from "./reportDemo.js";
import { startRevokeDemo } from "./revokeDemo.js";
import { seedStorageDemo } from "./storageDemo.js";

/** Settings the demos need from the stack: the audit demo's folder source and its short baseline, the operator's bindings. */
export function demoSettings(stateDir: string): Record<string, string> {
  return { ...attackDemoSettings(join(stateDir, "audit")), ...demoOperatorSettings(stateDir) };
}

export interface DemosOptions {
  stack: Stack;
  /** The demo vault's name. */
  vault: string;
  /** The stack's state folder (PostgreSQL keeps its data under it). */
  stateDir: string;
  write: LineWriter;
}

export interface RunningDemos {
  /** Secrets whose rotation the demos prove at a target (a database, a storage account, an Entra app). */
  rotating: string[];
  /** Resolves once a revoke waits for a consumer that has not read the new version (the revoke demo). */
  revokeWaiting?(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startDemos(options: DemosOptions): Promise<RunningDemos> {
  const { stack, write } = options;
  const failed = (demo: string) => (error: unknown) => {
    write(`${demo} demo not started: ${ensureError(error).message}`);
    return undefined;
  };
  await startAttackDemo({ kv: stack.kv, vault: options.vault, app: stack.app, write }).catch(failed("audit"));
  const postgres = await startPostgresDemo({ kv: stack.kv, vaultUrl: stack.vaultUrl, stateDir: options.stateDir, write }).catch(failed("postgres"));
  const storage = await seedStorageDemo({
    azurite: stack.azurite,
    vaultUrl: stack.vaultUrl,
    ca: stack.kv.tls.caPem,
    runtime: await stack.app.rotatorRuntime(),
    write,
  }).catch(failed("storage-account"));
  const entra = await startEntraDemo({ kv: stack.kv, cloudUrl: stack.cloud.url, vaultUrl: stack.vaultUrl, write }).catch(failed("entra-app-secret"));
  const revoke = await startRevokeDemo({ kv: stack.kv, vault: options.vault, vaultUrl: stack.vaultUrl, status: stack.service.status, write }).catch(
    failed("revoke"),
  );
  const appService = await startAppServiceDemo({ kv: stack.kv, web: stack.cloud.providers.web, vault: options.vault, write }).catch(failed("app service"));
  const report = await writeDemoReport({ app: stack.app }).catch(failed("compliance report"));
  if (report) {
    write(`compliance report: ${report.summary}`);
    for (const path of report.paths) write(`  ${path}`);
  }
  return {
    rotating: [postgres?.secretName, storage?.validated ? storage.secret : undefined, entra?.secretName, revoke?.secretName].filter(
      (s): s is string => s !== undefined,
    ),
    ...(revoke ? { revokeWaiting: (timeoutMs: number) => revoke.waiting(timeoutMs) } : {}),
    async stop() {
      entra?.stop();
      revoke?.stop();
      await appService?.stop();
      await postgres?.stop();
    },
  };
}
