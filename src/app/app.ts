/**
 * @module The composition root: kvguard's settings loaded once, and everything built from them (credential,
 * state storage, clock, rotation service, alerting, the audit scan, reports) on first use. The function
 * handlers and the CLI ask an App for what they need; the domains get ready parts and hooks from here and
 * never wire themselves. Each part's code is imported when it is first asked for: the Functions host loads
 * the handlers at every cold start, and most of them use one part.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { Alert } from "../alerts/alert.js";
import type { Alerting, AlertingOptions } from "../alerts/alerting.js";
import type { Notifier } from "../alerts/notifier.js";
import type { AuditScanReport } from "../audit/scan.js";
import type { Clock } from "../common/clock.js";
import type { PublishedReport } from "../compliance/report/publish.js";
import type { ConfigResult, KvguardConfig } from "../config/schema.js";
import type { EngineDeps } from "../rotation/engine.js";
import type { Rotators } from "../rotators/rotators.js";
import type { RotatorRuntime } from "../rotators/types.js";
import type { RotationService } from "../rotation/service.js";
import type { StorageClients } from "../state/storage.js";
import type { Guarded } from "./guarded.js";
import { lazy } from "./lazy.js";
import type { ExporterOptions } from "./export.js";
import type { ReportRequest } from "./reports.js";
import type { Exporter } from "../export/exporter.js";
import type { Telemetry } from "../telemetry/port.js";
import type { TelemetryHandle, TelemetrySinks } from "./telemetry.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** How often kvguard reads the local Key Vault's clock (which its admin API can move). */
const CLOCK_SYNC_MS = 1000;

export interface AppOptions {
  /** Reads the local CA file (default: from disk); the config check's tests pass a fake. */
  readFile?: (path: string) => string;
  /** The clock kvguard judges time on (default: the local Key Vault's when the vaults are local, else the system's). */
  clock?: Clock;
  credential?: TokenCredential;
  /** Rotation progress lines (default: standard output). */
  log?: (line: string) => void;
  /** Called after each rotation step (the CLI's crash hook for the crash-safety tests). */
  afterStep?: EngineDeps["afterStep"];
  /** How long a rotation job waits for another run's lock (default 30 s). */
  lockWaitMs?: number;
  /** The alert dispatcher's clock, log and retry policy. */
  alerts?: Omit<AlertingOptions, "credential" | "table">;
  /** Metrics and spans go here whatever KVGUARD_TELEMETRY says (tests' in-memory exporters, the local stack). */
  telemetry?: TelemetrySinks;
}

export interface App {
  readonly env: Env;
  /** The settings, checked: the config or every problem. */
  settings(): Promise<ConfigResult>;
  /** The config, or an error naming every problem ("kvguard is misconfigured"). */
  config(): Promise<KvguardConfig>;
  /** The config with the vaults discovery found beside the listed ones, and what discovery saw. */
  guarded(): Promise<Guarded>;
  credential(): Promise<TokenCredential>;
  /** Whether the settings name a state storage account (AzureWebJobsStorage). */
  hasStorage(): boolean;
  storage(): Promise<StorageClients>;
  clock(): Promise<Clock>;
  rotation(): Promise<RotationService>;
  /** What rotators reaching past the vault (ARM, Graph) are given. */
  rotatorRuntime(): Promise<RotatorRuntime>;
  /** The rotator registry, built once; the domains get it from here and never import it. */
  rotators(): Promise<Rotators>;
  /** The dispatcher and sinks; undefined when alerting is off. */
  alerting(): Promise<Alerting | undefined>;
  notifier(): Promise<Notifier>;
  /** Metrics and traces (docs/telemetry.md); a no-op unless telemetry is on. */
  telemetry(): Promise<Telemetry>;
  /** One audit scan; scans of one app run one at a time (they share the baseline and watermarks). */
  auditScan(): Promise<AuditScanReport>;
  reportToFolder(out: string, request?: ReportRequest): Promise<PublishedReport>;
  /** The report in the report container, announced through alerting (problems go to `log`). */
  reportToContainer(request: ReportRequest, log: (line: string) => void): Promise<PublishedReport>;
  /** The export of kvguard's records; undefined when no destination is set. */
  exporter(options?: ExporterOptions): Promise<Exporter | undefined>;
  /** Sends the metrics and spans waiting for their interval now (nothing when telemetry is off). */
  flushTelemetry(): Promise<void>;
  /** Stops the clock's sync and closes the alert sinks' connections. */
  close(): Promise<void>;
}

export function createApp(env: Env = process.env, options: AppOptions = {}): App {
  let clockSync: NodeJS.Timeout | undefined;
  let scanning: Promise<unknown> = Promise.resolve();

  const settings = lazy(async () => (await import("../config/schema.js")).loadConfig(env, options.readFile ? { readFile: options.readFile } : {}));
  const config = lazy(async () => {
    const result = await settings();
    if (result.ok) return result.config;
    const { formatProblem } = await import("../config/schema.js");
    throw new Error(`kvguard is misconfigured:\n${result.problems.map(formatProblem).join("\n")}`);
  });
  const credential = lazy(async () => options.credential ?? (await import("../azure/credential.js")).credentialFor((await config()).identity));
  const storage = lazy(async () => (await import("../state/storage.js")).storageClients(env, await credential()));
  const clock = lazy(async (): Promise<Clock> => {
    if (options.clock) return options.clock;
    const { local } = await config();
    // Any vault tells the local Key Vault's clock; with none to guard (discovery found none) there is nothing to judge.
    const first = local ? (await guarded()).config.vaults[0] : undefined;
    if (!local || !first) return (await import("../common/clock.js")).systemClock;
    // Against the local Key Vault, "due" is judged on the vault's clock, which its admin API can move ahead.
    const { LocalVaultClock } = await import("../azure/localClock.js");
    const vaultClock = new LocalVaultClock(first.url, local.caPem);
    await vaultClock.sync();
    clockSync = setInterval(() => void vaultClock.sync().catch(() => undefined), CLOCK_SYNC_MS).unref();
    return vaultClock;
  });
  let alertingAsked = false;
  const buildAlerting = lazy(async () => {
    const loaded = await config();
    if (!loaded.alerts.rules) return undefined;
    const [{ createAlerting }, { ALERTS_TABLE }, { ensureTable }] = await Promise.all([
      import("../alerts/alerting.js"),
      import("../alerts/store/alertTable.js"),
      import("../state/storage.js"),
    ]);
    const table = await ensureTable((await storage()).table(ALERTS_TABLE));
    return createAlerting(loaded, env, { ...options.alerts, credential: await credential(), table, telemetry: await telemetry() });
  });
  const alerting = () => {
    alertingAsked = true;
    return buildAlerting();
  };
  const notifier = lazy(async () => {
    const { createNotifier } = await import("../alerts/notifier.js");
    // The detectors load only for a finding alert's title: a rotation's notifier never needs them.
    return createNotifier(alerting, async () => {
      const { detectorById } = await import("../audit/detectors/registry.js");
      return (id) => detectorById(id)?.name;
    });
  });
  // The OpenTelemetry SDK is imported only when telemetry is on: a cold start without it loads none of it.
  let telemetryHandle: Promise<TelemetryHandle | undefined> | undefined;
  const telemetry = lazy(async (): Promise<Telemetry> => {
    const { noTelemetry } = await import("../telemetry/port.js");
    if (options.telemetry === undefined && (await config()).telemetry.mode !== "azure-monitor") return noTelemetry;
    // Entra authentication when the host's setting asks for it (the Bicep turns Application Insights' keys off).
    const entra = /Authorization=AAD/i.test(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? "");
    const local = options.telemetry ? undefined : (await config()).local;
    const handle = (async () =>
      (await import("./telemetry.js")).createTelemetry(
        options.telemetry
          ? { sinks: options.telemetry }
          : {
              connectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING!,
              ...(entra ? { credential: await credential() } : {}),
              ...(local ? { ca: local.caPem } : {}),
            },
      ))();
    telemetryHandle = handle;
    try {
      return (await handle).telemetry;
    } catch (error) {
      // Telemetry that cannot start must not stop rotations: said once, and kvguard runs without it.
      const [{ scrubSecrets }, { ensureError }, { printErrorLine }] = await Promise.all([
        import("../config/redact.js"),
        import("../common/errors.js"),
        import("../common/logText.js"),
      ]);
      (options.log ?? printErrorLine)(`telemetry is off: it could not start (${scrubSecrets(ensureError(error).message, env)})`);
      return noTelemetry;
    }
  });
  const rotatorRuntime = lazy(async (): Promise<RotatorRuntime> => {
    const { cloud, local, rotation } = await config();
    return {
      credential: await credential(),
      cloud,
      ...(local ? { ca: local.caPem } : {}),
      ...(rotation.entraTenantId ? { entraTenantId: rotation.entraTenantId } : {}),
      stateTable: async (name) => (await import("../state/storage.js")).ensureTable((await storage()).table(name)),
    };
  });
  const rotators = lazy(async () => (await import("../rotators/registry.js")).createRotators());
  // Vaults found by tag through ARM join the listed ones (src/app/guarded.ts).
  const guarded = lazy(async () => {
    const [{ guardedVaults }, { printErrorLine }] = await Promise.all([import("./guarded.js"), import("../common/logText.js")]);
    return guardedVaults(await config(), credential, options.log ?? printErrorLine);
  });
  const rotation = lazy(async () => {
    const loaded = (await guarded()).config;
    const [{ createRotationService }, { createRevokeGate }] = await Promise.all([import("./rotation.js"), import("./revoke.js")]);
    const alert = async (alerts: readonly Alert[]) => (await notifier()).notify(alerts, options.log ? { log: options.log } : {});
    return createRotationService(loaded, {
      revokeGate: createRevokeGate(loaded, { credential: await credential(), storage, clock: await clock(), ...(loaded.alerts.rules ? { alert } : {}) }),
      credential: await credential(),
      runtime: await rotatorRuntime(),
      rotators: await rotators(),
      storage: await storage(),
      clock: await clock(),
      telemetry: await telemetry(),
      ...(options.log ? { log: options.log } : {}),
      ...(options.afterStep ? { afterStep: options.afterStep } : {}),
      ...(options.lockWaitMs !== undefined ? { lockWaitMs: options.lockWaitMs } : {}),
      // Failures, and rotations the alert rules ask to hear about, go to alerting when it is configured.
      ...(loaded.alerts.rules
        ? {
            onOutcome: async (job, outcome) => {
              // Dated on kvguard's clock (the vault's, against the local Key Vault), as the rotation was.
              const at = new Date((await clock()).nowMs()).toISOString();
              await (await notifier()).notifyRotation({ job, ...outcome, at }, options.log ? { log: options.log } : {});
            },
            alert,
          }
        : {}),
    });
  });
  const scanOnce = async () => {
    const loaded = await config();
    const [{ auditScanDeps }, { runAuditScan }] = await Promise.all([import("./audit.js"), import("../audit/scan.js")]);
    return runAuditScan(
      await auditScanDeps(loaded, {
        credential: await credential(),
        storage: await storage(),
        telemetry: await telemetry(),
        // New findings go to alerting when it is configured.
        ...(loaded.alerts.rules ? { onNewFindings: async (findings) => void (await (await notifier()).notifyFindings(findings)) } : {}),
      }),
    );
  };

  const app: App = {
    env,
    settings,
    config,
    guarded,
    credential,
    hasStorage: () => Boolean(env.AzureWebJobsStorage?.trim() || env.AzureWebJobsStorage__accountName?.trim()),
    storage,
    clock,
    rotation,
    rotatorRuntime,
    rotators,
    alerting,
    notifier,
    telemetry,
    auditScan() {
      const scan = scanning.then(scanOnce);
      scanning = scan.catch(() => undefined);
      return scan;
    },
    exporter: async (options = {}) =>
      (await import("./export.js")).createExporter(await config(), env, { credential: await credential(), storage: await storage() }, options),
    reportToFolder: async (out, request = {}) => (await import("./reports.js")).reportToFolder(app, out, request),
    reportToContainer: async (request, log) => (await import("./reports.js")).reportToContainer(app, request, log),
    async flushTelemetry() {
      await (await telemetryHandle?.catch(() => undefined))?.flush();
    },
    async close() {
      clearInterval(clockSync);
      await (await telemetryHandle?.catch(() => undefined))?.shutdown();
      if (alertingAsked) (await buildAlerting().catch(() => undefined))?.close();
    },
  };
  return app;
}
