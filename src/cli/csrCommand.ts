/**
 * @module `kvguard csr VAULT/NAME`: the CSR a certificate's pending operation holds (the one kvguard prepared
 * for an `Unknown`-issuer certificate near expiry, or any other), as PEM, to have it signed elsewhere.
 */
import { CertificateClient } from "@azure/keyvault-certificates";
import { clientOptions } from "../azure/keyVaultClients.js";
import { lineWriter } from "../common/logText.js";
import { createApp } from "../app/index.js";
import { csrPem, pendingOperation } from "../notices/csr.js";

export async function csrCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const [vaultName, name, extra] = (args[0] ?? "").split("/");
  if (!vaultName || !name || extra !== undefined || args.length > 1) throw new Error(`name the certificate as VAULT/NAME, got "${args.join(" ")}"`);
  const app = createApp(process.env, { log: lineWriter(out) });
  try {
    const [{ config }, credential] = await Promise.all([app.guarded(), app.credential()]);
    const vault = config.vaults.find((v) => v.name.toLowerCase() === vaultName.toLowerCase());
    if (!vault) throw new Error(`vault ${vaultName} is not one kvguard manages (KVGUARD_VAULT_URLS or KVGUARD_DISCOVERY_TAG)`);
    const connection = { vaultUrl: vault.url, credential, ...(config.local ? { ca: config.local.caPem } : {}) };
    const op = await pendingOperation(new CertificateClient(vault.url, credential, clientOptions(connection)), name);
    if (!op?.csr || op.status?.toLowerCase() !== "inprogress") {
      lineWriter(out)(`${vaultName}/${name}: no pending operation holds a CSR${op?.status ? ` (the last one is ${op.status})` : ""}`);
      return 1;
    }
    out.write(csrPem(op.csr));
    return 0;
  } finally {
    await app.close();
  }
}
