/**
 * @module `kvguard start` (what `npm start` runs): the local stack with a demo vault. Until the local
 * Functions runner exists this is the local Key Vault plus a demo of what it serves.
 */
import { parseArgs } from "node:util";
import { runDemo } from "./demo.js";

const DEMO_VAULT = "demo";

export async function startCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      state: { type: "string", default: ".kvguard" },
      port: { type: "string", default: "0" },
      "demo-only": { type: "boolean" },
    },
    strict: true,
  });
  const say = (line: string) => out.write(`  ${line}\n`);
  const { LocalKeyVault } = await import("../../emulator/index.js");
  const kv = await LocalKeyVault.start({ stateDir: values.state, vaults: [DEMO_VAULT], port: Number(values.port) });
  const url = kv.urls[DEMO_VAULT]!;
  out.write(`kvguard local stack\n`);
  say(`Local Key Vault "${DEMO_VAULT}": ${url}`);
  say(`CA certificate: ${kv.caFile}`);
  say(`State and audit logs: ${values.state}/ (delete it to start over)`);
  out.write(`\nDemo\n`);
  await runDemo(kv, DEMO_VAULT, say);
  out.write(`\nAudit logs (Key Vault's storage-archive layout): ${kv.audit.rootDir}\n`);
  out.write(`\nPoint kvguard or the Azure SDK at it:\n`);
  say(`KVGUARD_VAULT_URLS=${url} KVGUARD_LOCAL_CA_FILE=${kv.caFile} AzureWebJobsStorage=UseDevelopmentStorage=true npx kvguard config check`);
  say(`SDK clients: tlsOptions: { ca }, disableChallengeResourceVerification: true (src/azure/keyVaultClients.ts does it)`);
  say(`Move the clock: curl --cacert ${kv.caFile} -X POST ${url}/management/clock/advance -d '{"seconds":86400}'`);
  if (values["demo-only"]) {
    await kv.close();
    return 0;
  }
  out.write(`\nServing until Ctrl-C. (The rotation engine and the Functions runner arrive in later releases.)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await kv.close();
  return 0;
}
