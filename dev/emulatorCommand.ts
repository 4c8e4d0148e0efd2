/**
 * @module `kvguard emulator`: serves the local Key Vault (with `--cloud`, the local cloud beside it; with
 * `--azurite`, Azurite) and prints one JSON line when ready: `{"vaults":{"NAME":"https://..."},"ca":"FILE",
 * ..., "settings":{...}}`, the settings pointing kvguard at what runs. Runs until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import { parseDurationSeconds } from "../src/common/duration.js";

export const emulatorUsage = `kvguard emulator [options]
  --port N          port of the first vault (others take the next ones); 0 picks free ports (default)
  --state DIR       keep vaults, TLS material and audit logs in DIR across restarts (default: in memory)
  --vault NAME      serve a vault named NAME; repeat for several (default: one vault named "local")
  --ca-out FILE     also write the CA certificate (PEM) to FILE
  --clock OFFSET    start the clock ahead of real time: seconds or ISO-8601 (P30D)
  --throttle        answer 429 past Key Vault's documented limits
  --audit-dir DIR   where audit logs go (default: DIR/audit of --state, else a temporary folder)
  --subscribe URL   deliver every event to this webhook (Event Grid schema, after its validation handshake);
                    repeat for several. Filters and CloudEvents: POST /management/subscriptions
  --lro-seconds N   how long a soft delete, a recover and a self-signed certificate's issuance take, in
                    seconds of the vault's clock (default 2, as in Azure; 0: at once)
  --cloud           also serve the local cloud (ARM, Entra, App Service sites, Event Grid topics, Logs Ingestion)
  --cloud-port N    port of the local cloud (default: a free port)
  --azurite         also start Azurite (its accounts served by the local cloud's storage provider)`;

export async function emulatorCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      state: { type: "string" },
      vault: { type: "string", multiple: true },
      "ca-out": { type: "string" },
      clock: { type: "string" },
      throttle: { type: "boolean" },
      "audit-dir": { type: "string" },
      subscribe: { type: "string", multiple: true },
      cloud: { type: "boolean" },
      "cloud-port": { type: "string" },
      azurite: { type: "boolean" },
      "lro-seconds": { type: "string" },
    },
    strict: true,
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
  const cloudPort = values["cloud-port"] === undefined ? undefined : Number(values["cloud-port"]);
  if (cloudPort !== undefined && (!values.cloud || !Number.isInteger(cloudPort) || cloudPort < 0 || cloudPort > 65535)) {
    throw new Error(`--cloud-port must be 0-65535 and comes with --cloud, got ${values["cloud-port"]}`);
  }
  const lroSeconds = values["lro-seconds"] === undefined ? undefined : Number(values["lro-seconds"]);
  if (lroSeconds !== undefined && !(Number.isFinite(lroSeconds) && lroSeconds >= 0)) {
    throw new Error(`--lro-seconds must be a number of seconds, 0 or more, got ${values["lro-seconds"]}`);
  }
  const { LocalKeyVault } = await import("../emulator/index.js");
  const { startAlongside } = await import("../emulator/cloud/alongside.js");
  const kv = await LocalKeyVault.start({
    port,
    stateDir: values.state,
    vaults: values.vault,
    caOut: values["ca-out"],
    clockOffsetSeconds: values.clock === undefined ? 0 : parseDurationSeconds(values.clock),
    throttle: values.throttle ?? false,
    auditDir: values["audit-dir"],
    subscriptions: (values.subscribe ?? []).map((endpoint, i) => ({ name: `cli-${i + 1}`, endpoint })),
    ...(lroSeconds !== undefined ? { lroSeconds } : {}),
  });
  const alongside = await startAlongside(kv, {
    cloud: values.cloud ?? false,
    azurite: values.azurite ?? false,
    ...(cloudPort !== undefined ? { cloudPort } : {}),
  }).catch(async (error: unknown) => {
    await kv.close();
    throw error;
  });
  const cloud = alongside.cloud ? { cloud: alongside.cloud.url } : {};
  out.write(JSON.stringify({ vaults: kv.urls, ca: kv.caFile, audit: kv.audit.rootDir, ...cloud, settings: alongside.settings }) + "\n");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await alongside.close();
  await kv.close();
  return 0;
}
