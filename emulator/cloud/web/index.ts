/**
 * @module The local App Service provider of the local cloud: sites whose Key Vault references resolve from
 * the local Key Vault, served through ARM (`@azure/arm-appservice`) and the local admin API.
 */
import type { LocalKeyVault } from "../../localKeyVault.js";
import type { CloudRoute } from "../host.js";
import { webAdminRoutes } from "./adminRoutes.js";
import { webArmRoutes } from "./armRoutes.js";
import { LocalWebApps } from "./webApps.js";

export { LocalWebApps } from "./webApps.js";
export { siteId } from "./site.js";

export function webProvider(kv: LocalKeyVault): { web: LocalWebApps; routes: CloudRoute[] } {
  const web = new LocalWebApps(kv);
  return { web, routes: [...webArmRoutes(web), ...webAdminRoutes(web)] };
}
