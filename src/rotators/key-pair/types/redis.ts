/**
 * @module Azure Cache for Redis (`@azure/arm-rediscache`): the primary and secondary access keys; validated with
 * a real AUTH and PING over TLS on the cache's SSL port.
 */
import { armCall, required } from "../armErrors.js";
import { KeyRefused } from "../check.js";
import type { KeyPairType, PairKey } from "../keyPairType.js";
import { armClient } from "../../armClient.js";

export const redisType: KeyPairType = {
  name: "redis",
  label: "Azure Cache for Redis",
  shape: "Microsoft.Cache/redis/<cache name>",
  pattern: /^Microsoft\.Cache\/redis\/(?<name>[^/]+)$/i,
  keyNames: { readWrite: ["primary", "secondary"] },
  connectionString: true,
  role: '"Redis Cache Contributor" on the cache',
  async access(target, _keySet, runtime) {
    const client = await armClient(runtime, () => import("@azure/arm-rediscache").then((m) => m.RedisManagementClient), target.subscriptionId);
    const { resourceGroup } = target;
    const name = target.parts.name!;
    const host = async () => {
      const cache = await armCall(target, "reading the cache", () => client.redis.get(resourceGroup, name));
      return { hostName: required(cache.hostName, "hostName", target), sslPort: required(cache.sslPort, "sslPort", target) };
    };
    return {
      async keys() {
        const keys = await armCall(target, "listing the access keys", () => client.redis.listKeys(resourceGroup, name));
        return [
          { name: "primary", value: required(keys.primaryKey, "primaryKey", target) },
          { name: "secondary", value: required(keys.secondaryKey, "secondaryKey", target) },
        ];
      },
      async regenerate(keyName) {
        await armCall(target, `regenerating the ${keyName} key`, () =>
          client.redis.regenerateKey(resourceGroup, name, { keyType: keyName === "primary" ? "Primary" : "Secondary" }),
        );
      },
      async describe(key: PairKey) {
        const { hostName, sslPort } = await host();
        return { endpoint: `${hostName}:${sslPort}`, connectionString: `${hostName}:${sslPort},password=${key.value},ssl=True,abortConnect=False` };
      },
      async validate(key: PairKey) {
        const { hostName, sslPort } = await host();
        const ca = runtime.ca;
        const { Redis } = await import("ioredis");
        const redis = new Redis({
          host: hostName,
          port: sslPort,
          password: key.value,
          tls: { servername: hostName, ...(ca ? { ca } : {}) },
          lazyConnect: true,
          connectTimeout: 15_000,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        // ioredis reports a refused AUTH as an error event, then rejects connect() with "Connection is closed".
        let refused: Error | undefined;
        redis.on("error", (error: Error) => (refused ??= error));
        try {
          await redis.connect();
          await redis.ping();
        } catch (error) {
          const reason = refused ?? (error as Error);
          const why = /WRONGPASS|NOAUTH|invalid password/i.test(reason.message) ? "AUTH refused the key" : reason.message.split("\n")[0];
          throw new KeyRefused(`Azure Cache for Redis at ${hostName}:${sslPort}: ${why}`, { cause: error });
        } finally {
          redis.disconnect();
        }
      },
    };
  },
};
