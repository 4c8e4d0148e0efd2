/**
 * @module The local stack behind `npm start`: the local Key Vault (state in the state folder, one vault),
 * Azurite (blob, queue, table; data in `<state>/azurite`), the settings pointing kvguard at both, kvguard's
 * app built from them on the vault's own clock (in place of the app settings' one), and the local Functions runner with the vault's near-expiry
 * and expiry events subscribed to its Event Grid webhook, and kvguard's telemetry sent to the local cloud's
 * Application Insights endpoint. Everything runs in this process but Azurite.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { startAzurite, type RunningAzurite } from "../emulator/azurite.js";
import { localCloudSettings, startLocalCloud, type StartedLocalCloud } from "../emulator/cloud/index.js";
import { LocalKeyVault } from "../emulator/index.js";
import { startLocalAlerts } from "./alerts/localAlerts.js";
import { devClaims } from "../src/azure/devCredential.js";
import { ensureError } from "../src/common/errors.js";
import { createApp, useApp, type App } from "../src/app/index.js";
import { LOCAL_COMPONENT, LocalTelemetry } from "./telemetrySummary.js";
import { functionTable, type FunctionDefinition } from "../src/functions/table.js";
import type { RotationService } from "../src/rotation/service.js";
import { ROTATION_EVENT_TYPES } from "../src/rotation/vaultEvents.js";
import { postAdmin } from "./adminApi.js";
import { startLocalExport, type LocalExport } from "./localExport.js";
import type { LineWriter } from "./runner/invocation.js";
import { DEFAULT_FUNCTIONS_PORT, startLocalRunner, type LocalRunner } from "./runner/runner.js";

/** Fast enough that a newcomer sees the sweep work; Azure's default is every 15 minutes. */
export const DEMO_SCHEDULE = "*/10 * * * * *";
/** The dev identity kvguard acts as (the settings' default). */
const KVGUARD_IDENTITY = { name: "kvguard" };

export interface StackOptions {
  stateDir: string;
  vault: string;
  /** Port of the local Key Vault (0: any free port). */
  vaultPort?: number;
  /** Port of the Functions runner (default 7071; when taken, any free port). */
  functionsPort?: number;
  /** Settings that win over the stack's own (the environment's KVGUARD_ROTATION_SCHEDULE, say). */
  settings?: Record<string, string>;
  table?: readonly FunctionDefinition[];
  write: LineWriter;
}

export interface Stack {
  kv: LocalKeyVault;
  azurite: RunningAzurite;
  /** ARM, Graph and the Entra token endpoint, local (its providers: App Service sites...). */
  cloud: StartedLocalCloud;
  runner: LocalRunner;
  /** kvguard as the functions run it here (the process's app while the stack runs). */
  app: App;
  service: RotationService;
  /** The settings kvguard runs with. */
  env: Record<string, string>;
  /** kvguard's metrics and spans, as the local cloud's Application Insights endpoint received them. */
  telemetry: LocalTelemetry;
  /** The same settings as a shell file to source before running the CLI against the stack. */
  envFile: string;
  vaultUrl: string;
  stop(): Promise<void>;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

async function startRunner(options: StackOptions, table: readonly FunctionDefinition[], env: Record<string, string>): Promise<LocalRunner> {
  const port = options.functionsPort ?? DEFAULT_FUNCTIONS_PORT;
  try {
    return await startLocalRunner({ table, env, port, write: options.write });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw error;
    options.write(`port ${port} is taken (another Functions host?); the runner takes a free port instead`);
    return startLocalRunner({ table, env, port: 0, write: options.write });
  }
}

/** kvguard must be able to rotate: a vault whose roles (from an older demo) leave it out gets it added. */
function admitKvguard(kv: LocalKeyVault, vaultName: string): void {
  const vault = kv.vaults.get(vaultName.toLowerCase())!;
  const oid = devClaims(KVGUARD_IDENTITY).oid!;
  if (vault.roleAssignments.length === 0 || vault.roleAssignments.some((a) => a.principalId === oid)) return;
  kv.setRoleAssignments(vault, [...vault.roleAssignments, { principalId: oid, role: "Key Vault Administrator" }]);
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const stateDir = resolve(options.stateDir);
  const table = options.table ?? functionTable;
  await mkdir(join(stateDir, "azurite"), { recursive: true });
  const [kvStart, azuriteStart] = await Promise.allSettled([
    LocalKeyVault.start({ stateDir, vaults: [options.vault], port: options.vaultPort ?? 0 }),
    startAzurite({ location: join(stateDir, "azurite") }),
  ]);
  if (kvStart.status === "rejected" || azuriteStart.status === "rejected") {
    // One started without the other: stop it, or its servers keep the process alive.
    if (kvStart.status === "fulfilled") await kvStart.value.close();
    if (azuriteStart.status === "fulfilled") await azuriteStart.value.stop();
    throw kvStart.status === "rejected" ? kvStart.reason : (azuriteStart as PromiseRejectedResult).reason;
  }
  const kv = kvStart.value;
  const azurite = azuriteStart.value;
  // Alerts go to a local Teams receiver and SMTP catcher, saved under out/alerts/ beside the state folder.
  // The SMTP catcher upgrades with the local Key Vault's certificate (for 127.0.0.1), signed by the local CA.
  const alerts = await startLocalAlerts({ outDir: resolve(dirname(stateDir), "out", "alerts"), print: (line) => options.write(line), tls: kv.tls });
  let cloud: StartedLocalCloud | undefined;
  let app: App | undefined;
  let exported: LocalExport | undefined;
  const stopStarted = async () => {
    useApp(undefined);
    await app?.close();
    await Promise.all([kv.close(), azurite.stop(), alerts.close(), cloud?.close(), exported?.close()]);
  };
  try {
    const started = await startLocalCloud({ kv, azurite });
    cloud = started;
    // kvguard's own events go to a local topic and webhook (out/events/), its records to the cloud's tables.
    exported = await startLocalExport(started, kv.tls.caPem, resolve(dirname(stateDir), "out"), (line) => options.write(line));
    admitKvguard(kv, options.vault);
    // Metrics and traces through the Azure Monitor exporter to the cloud's ingestion endpoint. The exporter's
    // own usage reports (statsbeat) would go to Microsoft's endpoints: off, in the env file for the CLI and in
    // this process's environment, the only place the exporter reads that switch.
    const telemetrySettings = {
      APPLICATIONINSIGHTS_CONNECTION_STRING: started.providers.appInsights.connectionString(started.providers.appInsights.ensure(LOCAL_COMPONENT)),
      APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
    };
    process.env.APPLICATION_INSIGHTS_NO_STATSBEAT = "true";
    const vaultUrl = kv.urls[options.vault]!;
    const env: Record<string, string> = {
      KVGUARD_VAULT_URLS: `${options.vault}=${vaultUrl}`,
      KVGUARD_LOCAL_CA_FILE: kv.caFile,
      AzureWebJobsStorage: azurite.connectionString,
      ...localCloudSettings(cloud),
      KVGUARD_ROTATION_SCHEDULE: DEMO_SCHEDULE,
      ...alerts.settings,
      ...exported.settings,
      ...telemetrySettings,
      ...options.settings,
    };
    // Same process, same clock: kvguard judges "due" on the time the vault keeps, --fast included.
    app = createApp(env, {
      clock: { nowMs: () => kv.clock.nowMs() },
      log: (line) => options.write(`${new Date().toISOString().slice(11, 19)} [rotation] ${line}`),
      // Alerting on the same clock: quiet hours, digests and the times alerts show follow the vault's.
      alerts: { clock: { nowMs: () => kv.clock.nowMs() } },
    });
    const telemetry = new LocalTelemetry(app, started.providers.appInsights, started.url);
    const service = await app.rotation();
    useApp(app);
    const envFile = join(stateDir, "kvguard.env");
    await writeFile(
      envFile,
      Object.entries(env)
        .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
        .join(""),
    );
    const runner = await startRunner(options, table, env);
    try {
      // Key Vault → Event Grid → the host's webhook: one subscription per Event Grid function of the table.
      for (const definition of table.filter((d) => d.kind === "eventGrid")) {
        await postAdmin(vaultUrl, kv.tls.caPem, "/management/subscriptions", {
          name: `kvguard-${definition.name}`,
          endpoint: runner.webhookUrl(definition.name),
          includedEventTypes: [...ROTATION_EVENT_TYPES],
          vaults: [options.vault],
        });
      }
    } catch (error) {
      await runner.stop();
      throw new Error(`subscribing the runner to the local Key Vault's events failed: ${ensureError(error).message}`, { cause: error });
    }
    return {
      kv,
      azurite,
      cloud,
      runner,
      app,
      service,
      env,
      telemetry,
      envFile,
      vaultUrl,
      async stop() {
        await runner.stop();
        await stopStarted();
      },
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}
