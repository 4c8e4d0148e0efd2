/**
 * @module Links and next steps an alert carries: the vault in the Azure portal and, for a failed rotation,
 * how to rotate now (CLI and HTTP). Built when rendering, so stored alerts stay small.
 */
import type { Alert } from "./alert.js";

export interface AlertLink {
  title: string;
  url: string;
}

/** Where kvguard runs, for links to its own API (Functions sets WEBSITE_HOSTNAME). */
export interface LinkContext {
  appHost?: string;
}

const PORTAL = "https://portal.azure.com";

/** The vault's overview blade when its resource id is known; otherwise the portal's Key Vault list. */
export function portalLink(alert: Pick<Alert, "vault" | "vaultResourceId">): AlertLink {
  if (alert.vaultResourceId) {
    return { title: `Open ${alert.vault} in the Azure portal`, url: `${PORTAL}/#@/resource${alert.vaultResourceId}/overview` };
  }
  return { title: `Find ${alert.vault} in the Azure portal`, url: `${PORTAL}/#browse/Microsoft.KeyVault%2Fvaults` };
}

export function links(alert: Alert): AlertLink[] {
  return [...(alert.url ? [{ title: alert.kind === "report-ready" ? "Open the report" : "Open", url: alert.url }] : []), portalLink(alert)];
}

export interface RotateNow {
  command: string;
  request: string;
}

/** How to retry a failed rotation by hand: the same lock and protocol as the sweep. */
export function rotateNow(alert: Alert, context: LinkContext = {}): RotateNow | undefined {
  if (alert.kind !== "rotation-failed" || !alert.object || alert.object.type === "certificate") return undefined;
  const key = alert.object.type === "key";
  const path = `/api/rotate/${encodeURIComponent(alert.vault)}/${encodeURIComponent(alert.object.name)}${key ? "?kind=key" : ""}`;
  return {
    command: `kvguard rotate ${alert.vault}/${alert.object.name}${key ? " --key" : ""}`,
    request: `POST ${context.appHost ? `https://${context.appHost}` : ""}${path}`,
  };
}
