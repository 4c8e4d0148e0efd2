/**
 * @module HTTP `POST /api/rotate/{vault}/{name}[?kind=key|certificate]`: rotates one secret or key, or renews a certificate, now. The names are
 * checked against Key Vault's rules before anything else; errors answer in kvguard's words (`httpErrors.ts`):
 * a vault kvguard does not manage is named, never the ones it does. A refused rotation answers 403.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { objectNameProblem, vaultNameProblem } from "../common/keyVaultNames.js";
import { LockBusyError } from "../rotation/lock.js";
import { failed, refused } from "./httpErrors.js";
import { currentApp } from "../app/index.js";
import type { HttpFunctionDefinition } from "./table.js";

const USAGE = "use POST /api/rotate/{vault}/{name}, with ?kind=key for a key, ?kind=certificate for a certificate";

/** Key Vault's "not found" (the SDK's error, or the service's error caused by it), for the object asked for. */
function notFound(error: unknown): boolean {
  const codes = [error, (error as { cause?: unknown } | undefined)?.cause].map((e) => (e as { code?: unknown } | undefined)?.code);
  return codes.some((code) => code === "SecretNotFound" || code === "KeyNotFound" || code === "CertificateNotFound");
}

export async function rotateNowHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { vault = "", name = "" } = request.params;
  const kind = request.query.get("kind") ?? "secret";
  const vaultRule = vaultNameProblem(vault);
  const nameRule = objectNameProblem(name);
  if (vaultRule || nameRule || (kind !== "secret" && kind !== "key" && kind !== "certificate")) {
    const why = vaultRule
      ? `invalid vault name: ${vaultRule}`
      : nameRule
        ? `invalid object name: ${nameRule}`
        : "kind is secret (the default), key or certificate";
    context.warn(`rotate ${vault}/${name} (kind ${kind}) refused: ${why}`);
    return refused(400, `${why}; ${USAGE}`);
  }
  const service = await currentApp().rotation();
  if (!service.vaults.has(vault.toLowerCase())) {
    context.warn(`rotate ${vault}/${name} refused: the vault is not one kvguard manages`);
    return refused(404, `vault ${vault} is not one kvguard manages`);
  }
  try {
    const result = await service.rotateNow(vault, name, kind);
    context.log(`rotate ${vault}/${name}: ${result.outcome}`);
    // A refusal (a target the operator did not bind) is not a success; its message is kvguard's own words.
    return { status: result.outcome === "refused" ? 403 : 200, jsonBody: result };
  } catch (error) {
    if (error instanceof LockBusyError) return refused(409, `another rotation of ${vault}/${name} holds its lock; try again in a minute`);
    if (notFound(error)) return refused(404, `${kind} ${name} does not exist in vault ${vault}`);
    return failed(context, `the rotation of ${vault}/${name}`, error);
  }
}

export const rotateNow: HttpFunctionDefinition = {
  kind: "http",
  name: "rotateNow",
  route: "rotate/{vault}/{name}",
  methods: ["POST"],
  authLevel: "function",
  handler: rotateNowHandler,
};
