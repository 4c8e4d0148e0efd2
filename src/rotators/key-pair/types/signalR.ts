/**
 * @module Azure SignalR Service (`@azure/arm-signalr`) and Azure Web PubSub (`@azure/arm-webpubsub`) access keys:
 * primary and secondary, with the connection strings listKeys gives. A key is validated with a data-plane
 * REST call authorized by a short JWT (HS256) signed with it, as the services' REST APIs take: SignalR's
 * "does this user have connections" (`GET /api/v1/hubs/{hub}/users/{user}`, 200 or 404 both prove the key),
 * Web PubSub's "list connections in a group".
 */
import { createHmac } from "node:crypto";
import { armCall, required } from "../armErrors.js";
import { keyCheck } from "../check.js";
import type { KeyPairAccess, KeyPairType, ResolvedTarget } from "../keyPairType.js";
import type { RotatorRuntime } from "../../types.js";
import { armClient } from "../../armClient.js";

/** A five-minute JWT for `audience` (the request URL without its query), signed with the access key. */
export function accessToken(audience: string, key: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: "HS256", typ: "JWT" })}.${part({ aud: audience, iat: now, exp: now + 300 })}`;
  return `${unsigned}.${createHmac("sha256", key).update(unsigned).digest("base64url")}`;
}

interface Keys {
  primaryKey?: string;
  secondaryKey?: string;
  primaryConnectionString?: string;
  secondaryConnectionString?: string;
}

/** The `Endpoint=` of a connection string. */
function endpointOf(connectionString: string): string | undefined {
  return /(?:^|;)Endpoint=([^;]+)/i.exec(connectionString)?.[1]?.replace(/\/+$/, "");
}

function access(
  target: ResolvedTarget,
  runtime: RotatorRuntime,
  service: string,
  api: { listKeys(): Promise<Keys>; regenerate(keyType: "Primary" | "Secondary"): Promise<unknown> },
  checkPath: string,
): KeyPairAccess {
  const listKeys = () => armCall(target, "listing the access keys", () => api.listKeys());
  const connectionStringOf = (keys: Keys, value: string) =>
    keys.primaryKey === value ? keys.primaryConnectionString : keys.secondaryKey === value ? keys.secondaryConnectionString : undefined;
  return {
    async keys() {
      const keys = await listKeys();
      return [
        { name: "primary", value: required(keys.primaryKey, "primaryKey", target) },
        { name: "secondary", value: required(keys.secondaryKey, "secondaryKey", target) },
      ];
    },
    async regenerate(keyName) {
      await armCall(target, `regenerating the ${keyName} key`, () => api.regenerate(keyName === "primary" ? "Primary" : "Secondary"));
    },
    async describe(key) {
      const connectionString = required(connectionStringOf(await listKeys(), key.value), "connection string", target);
      return { endpoint: required(endpointOf(connectionString), "endpoint", target), connectionString };
    },
    async validate(key) {
      // A key no longer listed (regenerated away) is still tried at the resource's endpoint, to be refused there.
      const keys = await listKeys();
      const endpoint = required(
        endpointOf(required(connectionStringOf(keys, key.value) ?? keys.primaryConnectionString, "connection string", target)),
        "endpoint",
        target,
      );
      const url = `${endpoint}${checkPath}`;
      // 404: the user (or group) has no connections; the key was accepted all the same.
      await keyCheck(runtime.ca, service, url, { authorization: `Bearer ${accessToken(url.split("?")[0]!, key.value)}` }, (s) => s === 200 || s === 404);
    },
  };
}

export const signalRType: KeyPairType = {
  name: "signalr",
  label: "Azure SignalR Service",
  shape: "Microsoft.SignalRService/signalR/<name>",
  pattern: /^Microsoft\.SignalRService\/signalR\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["primary", "secondary"] },
  connectionString: true,
  role: '"SignalR Contributor" on the resource',
  warning: "client access tokens signed with the regenerated key stop working",
  async access(target, _keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-signalr").then((m) => m.SignalRManagementClient), target.subscriptionId);
    const name = target.parts.name!;
    return access(
      target,
      runtime,
      "Azure SignalR Service",
      {
        listKeys: () => client.signalR.listKeys(target.resourceGroup, name),
        regenerate: (keyType) => client.signalR.beginRegenerateKeyAndWait(target.resourceGroup, name, { keyType }),
      },
      "/api/v1/hubs/kvguard/users/kvguard-key-check",
    );
  },
};

export const webPubSubType: KeyPairType = {
  name: "webpubsub",
  label: "Azure Web PubSub",
  shape: "Microsoft.SignalRService/webPubSub/<name>",
  pattern: /^Microsoft\.SignalRService\/webPubSub\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["primary", "secondary"] },
  connectionString: true,
  role: '"Web PubSub Contributor" on the resource',
  warning: "client access tokens signed with the regenerated key stop working",
  async access(target, _keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-webpubsub").then((m) => m.WebPubSubManagementClient), target.subscriptionId);
    const name = target.parts.name!;
    return access(
      target,
      runtime,
      "Azure Web PubSub",
      {
        listKeys: () => client.webPubSub.listKeys(target.resourceGroup, name),
        regenerate: (keyType) => client.webPubSub.beginRegenerateKeyAndWait(target.resourceGroup, name, { keyType }),
      },
      "/api/hubs/kvguard/groups/kvguard-key-check/connections?api-version=2024-01-01",
    );
  },
};
