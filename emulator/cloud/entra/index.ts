/**
 * @module The local Entra ID provider of the local cloud: one directory (applications, their client
 * secrets, Graph permissions) served as Microsoft Graph's application endpoints, the Entra token endpoint
 * and an admin API. With a state folder the directory persists in `entra.json` there.
 */
import type { CloudRoute } from "../host.js";
import { adminRoutes } from "./adminRoutes.js";
import { EntraDirectory } from "./directory.js";
import { graphRoutes } from "./graphRoutes.js";
import { loginRoutes } from "./loginRoutes.js";

export { EntraDirectory, LOCAL_ENTRA_TENANT, GRAPH_PERMISSIONS, type GraphPermission } from "./directory.js";

export function entraRoutes(options: { stateDir?: string | undefined } = {}): CloudRoute[] {
  const directory = new EntraDirectory(options.stateDir);
  return [...graphRoutes(directory), ...loginRoutes(directory), ...adminRoutes(directory)];
}
