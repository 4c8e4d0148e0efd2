/**
 * @module The local Event Grid provider of the local cloud: custom topics with their publish endpoint
 * (`@azure/eventgrid`), ARM (`@azure/arm-eventgrid`) and admin API, and namespace topics with theirs
 * (`@azure/eventgrid-namespaces`), both delivering to webhook subscriptions.
 */
import type { LocalKeyVault } from "../../localKeyVault.js";
import type { CloudRoute } from "../host.js";
import { eventGridAdminRoutes } from "./adminRoutes.js";
import { eventGridArmRoutes } from "./armRoutes.js";
import { LocalEventGrid } from "./localEventGrid.js";
import { namespaceRoutes } from "./namespaceRoutes.js";
import { LocalNamespaces } from "./namespaces.js";
import { publishRoutes } from "./publishRoute.js";

export { LocalEventGrid } from "./localEventGrid.js";
export { LocalNamespaces } from "./namespaces.js";
export { topicId } from "./topic.js";

export async function eventGridProvider(kv: LocalKeyVault): Promise<{ eventGrid: LocalEventGrid; namespaces: LocalNamespaces; routes: CloudRoute[] }> {
  const eventGrid = new LocalEventGrid(kv);
  const namespaces = new LocalNamespaces(kv);
  await Promise.all([eventGrid.load(), namespaces.load()]);
  return {
    eventGrid,
    namespaces,
    routes: [...publishRoutes(eventGrid), ...eventGridArmRoutes(eventGrid), ...eventGridAdminRoutes(eventGrid), ...namespaceRoutes(namespaces)],
  };
}
