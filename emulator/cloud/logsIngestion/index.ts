/**
 * @module The local Logs Ingestion provider of the local cloud: data collection endpoints and rules
 * (ARM and admin API) and the upload endpoint `@azure/monitor-ingestion` calls.
 */
import type { LocalKeyVault } from "../../localKeyVault.js";
import type { CloudRoute } from "../host.js";
import { logsAdminRoutes } from "./adminRoutes.js";
import { logsArmRoutes } from "./armRoutes.js";
import { ingestRoutes } from "./ingestRoute.js";
import { LocalLogsIngestion } from "./localLogsIngestion.js";

export { LocalLogsIngestion } from "./localLogsIngestion.js";

export function logsIngestionProvider(kv: LocalKeyVault): { logs: LocalLogsIngestion; routes: CloudRoute[] } {
  const logs = new LocalLogsIngestion(kv);
  return { logs, routes: [...ingestRoutes(logs), ...logsArmRoutes(logs), ...logsAdminRoutes(logs)] };
}
