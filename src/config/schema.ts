/**
 * @module Every setting kvguard reads, as one zod schema; the settings table built from it (docs/settings.md and
 * the Bicep check read that table); and `loadConfig`, which turns the environment into a typed config or a
 * list of problems, each naming the setting and how to fix it, never showing a secret value.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { alertConfig, alertCrossCheck, alertShape, type AlertConfig } from "./alertSettings.js";
import { auditConfig, auditShape, type AuditConfig } from "./auditSettings.js";
import { cloudConfig, cloudShape, type CloudConfig } from "./cloudSettings.js";
import { complianceConfig, complianceShape, type ComplianceConfig } from "./complianceSettings.js";
import { discoveryConfig, discoveryShape, type DiscoveryConfig } from "./discoverySettings.js";
import { exportConfig, exportCrossCheck, exportShape, type ExportConfig } from "./exportSettings.js";
import { noticeConfig, noticeShape, type NoticeConfig } from "./noticeSettings.js";
import { telemetryConfig, telemetryCrossCheck, telemetryShape, type TelemetryConfig } from "./telemetrySettings.js";
import { reportConfig, reportShape, type ReportConfig } from "./reportSettings.js";
import { closestName } from "./closestName.js";
import { docs } from "./docs.js";
import { describeSecret, isSecretName, scrubSecrets } from "./redact.js";
import { revokeConfig, revokeShape, type RevokeConfig } from "./revokeSettings.js";
import { rotationConfig, rotationShape, type RotationConfig } from "./rotationSettings.js";
import { parseStorageConnectionString, type StorageConnection } from "./storageConnection.js";
import { isAzureVaultHost, isLoopbackHost, parseVaultUrl, VAULT_URL_EXAMPLE, type VaultTarget } from "./vaultUrl.js";

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The dev identity used against the local Key Vault when `KVGUARD_LOCAL_IDENTITY` is not set. */
export const DEFAULT_LOCAL_IDENTITY = "kvguard";

const PREFIX = "KVGUARD_";

const shape = {
  KVGUARD_VAULT_URLS: z
    .string()
    .transform((raw, ctx) => {
      const items = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length === 0) {
        ctx.addIssue({ code: "custom", message: `lists no vault URL. Set it to a comma-separated list of vault URLs such as ${VAULT_URL_EXAMPLE}` });
      }
      const vaults: VaultTarget[] = [];
      for (const item of items) {
        const result = parseVaultUrl(item);
        if (!result.ok) ctx.addIssue({ code: "custom", message: result.message });
        else if (vaults.some((v) => v.url === result.vault.url)) {
          ctx.addIssue({ code: "custom", message: `lists ${result.vault.url} twice. List each vault once` });
        } else vaults.push(result.vault);
      }
      return vaults;
    })
    .optional()
    .register(docs, {
      description: "The vaults kvguard rotates and audits: a comma-separated list of vault URLs.",
      requiredUnless: "KVGUARD_DISCOVERY_TAG",
      example: `${VAULT_URL_EXAMPLE},https://othervault.vault.azure.net`,
    }),
  KVGUARD_LOCAL_CA_FILE: z.string().optional().register(docs, {
    description:
      "Path to the local Key Vault's CA certificate (PEM). When set, the vaults are the local Key Vault: clients trust this CA and skip the challenge's resource check.",
    example: ".kvguard/ca.pem",
  }),
  KVGUARD_LOCAL_IDENTITY: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
      error: (issue) =>
        `"${String(issue.input)}" is not an identity name. Set it to a name of letters, digits, ".", "_", "-" or "@", such as ${DEFAULT_LOCAL_IDENTITY}`,
    })
    .optional()
    .register(docs, {
      description: "Name of the dev identity kvguard acts as against the local Key Vault. Only with KVGUARD_LOCAL_CA_FILE.",
      default: `${DEFAULT_LOCAL_IDENTITY} (local Key Vault only)`,
      example: "rotation-app",
    }),
  AZURE_CLIENT_ID: z
    .guid({
      error: (issue) =>
        `"${String(issue.input)}" is not a GUID. Set it to the client ID of the app's user-assigned managed identity, such as 00000000-0000-0000-0000-000000000000, or remove it to use the system-assigned one`,
    })
    .optional()
    .register(docs, { description: "Client ID of a user-assigned managed identity; the system-assigned identity when not set." }),
  AzureWebJobsStorage: z
    .string()
    .transform((value, ctx): StorageConnection => {
      const connection = parseStorageConnectionString(value);
      if (connection) return connection;
      ctx.addIssue({
        code: "custom",
        message: `the value ${describeSecret(value)} is not a storage connection string. Set it to UseDevelopmentStorage=true (with Azurite), to DefaultEndpointsProtocol=https;AccountName=<account>;AccountKey=<key>, or remove it and set AzureWebJobsStorage__accountName to connect with the app's managed identity`,
      });
      return z.NEVER;
    })
    .optional()
    .register(docs, {
      description: "The Functions host's storage: a connection string, or UseDevelopmentStorage=true for Azurite.",
      requiredUnless: "AzureWebJobsStorage__accountName",
      example: "UseDevelopmentStorage=true",
    }),
  AzureWebJobsStorage__accountName: z
    .string()
    .regex(/^[a-z0-9]{3,24}$/, {
      error: (issue) =>
        `"${String(issue.input)}" is not a storage account name (3 to 24 lower-case letters and digits). Set it to the name of the app's storage account, such as kvguardstore`,
    })
    .optional()
    .register(docs, {
      description: "The Functions host's storage account, reached with the app's managed identity (instead of AzureWebJobsStorage).",
      requiredUnless: "AzureWebJobsStorage",
      example: "kvguardstore",
    }),
  FUNCTIONS_WORKER_RUNTIME: z
    .literal("node", {
      error: (issue) => `"${String(issue.input)}" is not "node". kvguard runs on the Node.js worker: set it to node, or remove it`,
    })
    .optional()
    .register(docs, { description: "The Functions language worker; must be node when set.", example: "node" }),
  KVGUARD_LOG_LEVEL: z
    .string()
    .transform((level) => level.toLowerCase())
    .pipe(
      z.enum(LOG_LEVELS, {
        error: (issue) => `"${String(issue.input)}" is not a log level. Set it to error, warn, info or debug`,
      }),
    )
    .default("info")
    .register(docs, { description: "How much kvguard logs: error, warn, info or debug." }),
  // Each area keeps its settings in its own file; they are one schema here.
  ...cloudShape,
  ...rotationShape,
  ...noticeShape,
  ...revokeShape,
  ...auditShape,
  ...alertShape,
  ...complianceShape,
  ...reportShape,
  ...exportShape,
  ...discoveryShape,
  ...telemetryShape,
};

export type SettingName = keyof typeof shape;
export const SETTING_NAMES = Object.keys(shape) as SettingName[];

type CrossCheckInput = Partial<Record<SettingName, unknown>>;

/** Rules between settings. They run even when a field failed, so they see raw or partial values. */
function crossCheck(value: CrossCheckInput, ctx: z.RefinementCtx): void {
  const local = value.KVGUARD_LOCAL_CA_FILE !== undefined;
  if (value.KVGUARD_LOCAL_IDENTITY !== undefined && !local) {
    ctx.addIssue({
      code: "custom",
      path: ["KVGUARD_LOCAL_IDENTITY"],
      message:
        "is set but KVGUARD_LOCAL_CA_FILE is not. Dev identities only work against the local Key Vault: set KVGUARD_LOCAL_CA_FILE to its CA certificate, or remove KVGUARD_LOCAL_IDENTITY",
    });
  }
  const hasConnection = value.AzureWebJobsStorage !== undefined;
  const hasAccount = value.AzureWebJobsStorage__accountName !== undefined;
  if (!hasConnection && !hasAccount) {
    ctx.addIssue({
      code: "custom",
      path: ["AzureWebJobsStorage"],
      message:
        "is not set, nor is AzureWebJobsStorage__accountName. The Functions host needs a storage account: set AzureWebJobsStorage to UseDevelopmentStorage=true (with Azurite) or a connection string, or set AzureWebJobsStorage__accountName to connect with the app's managed identity",
    });
  } else if (hasConnection && hasAccount) {
    ctx.addIssue({
      code: "custom",
      path: ["AzureWebJobsStorage__accountName"],
      message:
        "is set together with AzureWebJobsStorage, whose connection string the host uses instead. Keep one: remove AzureWebJobsStorage to connect with the managed identity, or remove AzureWebJobsStorage__accountName",
    });
  }
  if (value.KVGUARD_VAULT_URLS === undefined && value.KVGUARD_DISCOVERY_TAG === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["KVGUARD_VAULT_URLS"],
      message: `is not set, nor is KVGUARD_DISCOVERY_TAG, so kvguard has no vault to guard. Set it to a comma-separated list of vault URLs such as ${VAULT_URL_EXAMPLE}, or set KVGUARD_DISCOVERY_TAG to find tagged vaults through ARM`,
    });
  }
  alertCrossCheck(value, ctx);
  exportCrossCheck(value, ctx);
  telemetryCrossCheck(value, ctx);
  if (!Array.isArray(value.KVGUARD_VAULT_URLS)) return;
  for (const vault of value.KVGUARD_VAULT_URLS as VaultTarget[]) {
    const { hostname } = new URL(vault.url);
    if (local && isAzureVaultHost(hostname)) {
      ctx.addIssue({
        code: "custom",
        path: ["KVGUARD_VAULT_URLS"],
        message: `${vault.url} is in Azure, but KVGUARD_LOCAL_CA_FILE makes every vault the local Key Vault (whose dev tokens Azure rejects). Remove KVGUARD_LOCAL_CA_FILE, or list only local vault URLs`,
      });
    } else if (!local && isLoopbackHost(hostname)) {
      ctx.addIssue({
        code: "custom",
        path: ["KVGUARD_VAULT_URLS"],
        message: `${vault.url} is on this machine, so it is the local Key Vault. Set KVGUARD_LOCAL_CA_FILE to its CA certificate (ca.pem in its state folder)`,
      });
    }
  }
}

/** The one schema of all settings, over the environment with blank values removed. */
export const settingsSchema = z.object(shape).superRefine(crossCheck, { when: () => true });

export type Settings = z.output<typeof settingsSchema>;

/** One row of the settings table. */
export interface SettingRow {
  name: SettingName;
  /** Whether the app fails without it (or, with `requiredUnless`, without it or that other setting). */
  required: boolean;
  requiredUnless?: string;
  default?: string;
  /** Its value is never shown. */
  secret: boolean;
  description: string;
  example?: string;
}

/** Every setting, in schema order: the single source for docs/settings.md and the Bicep check. */
export const settingsTable: readonly SettingRow[] = SETTING_NAMES.map((name) => {
  const schema = shape[name];
  const doc = docs.get(schema);
  if (!doc) throw new Error(`setting ${name} has no documentation`);
  const unset = schema.safeParse(undefined);
  const schemaDefault = unset.success && typeof unset.data === "string" ? unset.data : undefined;
  const fallback = doc.default ?? schemaDefault;
  return {
    name,
    required: !unset.success || doc.requiredUnless !== undefined,
    ...(doc.requiredUnless ? { requiredUnless: doc.requiredUnless } : {}),
    ...(fallback ? { default: fallback } : {}),
    secret: isSecretName(name),
    description: doc.description,
    ...(doc.example ? { example: doc.example } : {}),
  };
});

/** How kvguard authenticates to the vaults. */
export type IdentityConfig = { kind: "dev"; name: string } | { kind: "azure"; managedIdentityClientId?: string };

/** The typed config. It holds no secret: storage is described, not its connection string. */
export interface KvguardConfig {
  vaults: VaultTarget[];
  /** Present when the vaults are the local Key Vault; absent for Azure Key Vault. */
  local?: { caFile: string; caPem: string };
  identity: IdentityConfig;
  storage: StorageConnection;
  logLevel: LogLevel;
  cloud: CloudConfig;
  rotation: RotationConfig;
  notices: NoticeConfig;
  revoke: RevokeConfig;
  audit: AuditConfig;
  alerts: AlertConfig;
  compliance: ComplianceConfig;
  report: ReportConfig;
  export: ExportConfig;
  /** Present when vaults are also found through ARM by tag. */
  discovery?: DiscoveryConfig;
  telemetry: TelemetryConfig;
}

/** A setting to fix; `message` says what is wrong and how to fix it. */
export interface ConfigProblem {
  setting: string;
  message: string;
}

export type ConfigResult = { ok: true; config: KvguardConfig } | { ok: false; problems: ConfigProblem[] };

export interface LoadConfigOptions {
  /** Reads the CA file (default: `readFileSync` as UTF-8); tests pass a fake. */
  readFile?: (path: string) => string;
}

/** `SETTING: message`, one line. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.setting}: ${problem.message}`;
}

/**
 * Reads and checks every setting.
 * @param env - the environment (app settings); only the settings in the table are read
 * @param options - how to read the CA file
 * @example
 * const result = loadConfig();
 * if (!result.ok) for (const p of result.problems) console.error(formatProblem(p));
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, options: LoadConfigOptions = {}): ConfigResult {
  // Blank app settings count as unset: the portal and Bicep often leave them empty.
  const input = Object.fromEntries(SETTING_NAMES.map((name) => [name, env[name]?.trim() || undefined]));
  const parsed = settingsSchema.safeParse(input);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ setting: String(issue.path[0] ?? "config"), message: issue.message }));
  problems.push(...unknownSettingProblems(env));
  const caFile = input.KVGUARD_LOCAL_CA_FILE;
  const ca = caFile === undefined ? undefined : readCa(caFile, options.readFile ?? ((path) => readFileSync(path, "utf8")));
  if (ca && !ca.ok) problems.push({ setting: "KVGUARD_LOCAL_CA_FILE", message: ca.message });

  if (!parsed.success || problems.length > 0) {
    const order = (setting: string) => {
      const index = SETTING_NAMES.indexOf(setting as SettingName);
      return index < 0 ? SETTING_NAMES.length : index;
    };
    const sorted = problems.sort((a, b) => order(a.setting) - order(b.setting));
    return { ok: false, problems: sorted.map((p) => ({ setting: p.setting, message: scrubSecrets(p.message, env) })) };
  }
  const settings = parsed.data;
  const local = caFile !== undefined && ca?.ok ? { caFile, caPem: ca.pem } : undefined;
  const clientId = settings.AZURE_CLIENT_ID;
  return {
    ok: true,
    config: {
      vaults: settings.KVGUARD_VAULT_URLS ?? [],
      ...(local ? { local } : {}),
      identity: local
        ? { kind: "dev", name: settings.KVGUARD_LOCAL_IDENTITY ?? DEFAULT_LOCAL_IDENTITY }
        : { kind: "azure", ...(clientId ? { managedIdentityClientId: clientId } : {}) },
      storage: settings.AzureWebJobsStorage ?? { kind: "identity", accountName: settings.AzureWebJobsStorage__accountName! },
      logLevel: settings.KVGUARD_LOG_LEVEL,
      cloud: cloudConfig(settings),
      rotation: rotationConfig(settings),
      notices: noticeConfig(settings),
      revoke: revokeConfig(settings),
      audit: auditConfig(settings, clientId),
      alerts: alertConfig(settings),
      compliance: complianceConfig(settings, local !== undefined),
      report: reportConfig(settings),
      export: exportConfig(settings),
      ...(settings.KVGUARD_DISCOVERY_TAG ? { discovery: discoveryConfig(settings)! } : {}),
      telemetry: telemetryConfig(settings),
    },
  };
}

function readCa(path: string, readFile: (path: string) => string): { ok: true; pem: string } | { ok: false; message: string } {
  let pem: string;
  try {
    pem = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(error)})`;
    return { ok: false, message: `${path} ${why}. Set it to the CA certificate the local Key Vault wrote (ca.pem in its state folder)` };
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    return { ok: false, message: `${path} holds no PEM certificate. Set it to the local Key Vault's CA certificate (ca.pem in its state folder)` };
  }
  return { ok: true, pem };
}

/** KVGUARD_ names the schema does not know: almost always typos, which would otherwise be silently ignored. */
function unknownSettingProblems(env: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
  const known = SETTING_NAMES.filter((name) => name.startsWith(PREFIX));
  return Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(PREFIX) && !(SETTING_NAMES as string[]).includes(name))
    .map((name) => {
      const match = closestName(name, known, PREFIX);
      const message = match
        ? `unknown setting; did you mean ${match}? Rename it to ${match}, or remove it`
        : `unknown setting. kvguard reads only ${known.join(", ")}: rename it to one of them, or remove it`;
      return { setting: name, message };
    });
}
