/** @module kvguard's settings: the schema and its table, the loader, and a printable summary. */
export {
  DEFAULT_LOCAL_IDENTITY,
  formatProblem,
  loadConfig,
  LOG_LEVELS,
  SETTING_NAMES,
  settingsSchema,
  settingsTable,
  type ConfigProblem,
  type ConfigResult,
  type IdentityConfig,
  type KvguardConfig,
  type LoadConfigOptions,
  type LogLevel,
  type SettingName,
  type SettingRow,
  type Settings,
} from "./schema.js";
export { summarizeConfig } from "./summary.js";
export { isSecretName, scrubSecrets } from "./redact.js";
export type { StorageConnection } from "./storageConnection.js";
export type { VaultTarget } from "./vaultUrl.js";
