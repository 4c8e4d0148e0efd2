/** @module Key operations of the Key Vault data plane. */
import type { Route } from "../http/route.js";

export const keyRoutes: Route[] = [];
