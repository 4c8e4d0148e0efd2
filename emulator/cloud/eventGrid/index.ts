/**
 * @module The local Event Grid provider of the local cloud: custom topics with their publish endpoint
 * (`@azure/eventgrid`), ARM (`@azure/arm-eventgrid`) and admin API, delivering to webhook subscriptions.
 */
import type { LocalKeyVault } from "../../localKeyVault.js";
import type { CloudRoute } from "../host.js";
import { eventGridAdminRoutes } from "./adminRoutes.js";
import { eventGridArmRoutes } from "./armRoutes.js";
import { LocalEventGrid } from "./localEventGrid.js";
import { publishRoutes } from "./publishRoute.js";

export { LocalEventGrid } from "./localEventGrid.js";
export { topicId } from "./topic.js";

export async function eventGridProvider(kv: LocalKeyVault): Promise<{ eventGrid: LocalEventGrid; routes: CloudRoute[] }> {
  const eventGrid = new LocalEventGrid(kv);
  await eventGrid.load();
  return { eventGrid, routes: [...publishRoutes(eventGrid), ...eventGridArmRoutes(eventGrid), ...eventGridAdminRoutes(eventGrid)] };
}
