/**
 * @module `entra-app-secret`: an Entra ID application's client secret, rotated by adding a new one with
 * Graph's `addPassword` (its `secretText` comes back once, so `create` hands it straight to the engine, which
 * persists it as the pending credential before anything else), proving it with a token request, and removing
 * the replaced one with `removePassword` after the grace period. kvguard marks the secrets it adds with the
 * display name `kvguard <vault>/<secret>` and removes only those (never the current one, never another's):
 *
 * - a secret it added but never recorded (a crash between addPassword and the pending write) is an orphan:
 *   marked, newer than the current secret and not it; the next `create` removes it before adding again;
 * - an app that allows few secrets (two for apps open to personal Microsoft accounts) gets room by removing
 *   kvguard's own older secrets for this secret, expired ones first.
 */
import { ensureError } from "../../common/errors.js";
import type { Credential, RotatorContext, SecretRotator } from "../types.js";
import { EntraGraph, GraphCallError, type GraphApplication, type GraphPassword } from "./graphClient.js";
import { entraOptions, type EntraOptions } from "./options.js";
import { TrustRefusal } from "../../rotation/bindings.js";
import { entraRuntime, type EntraRuntime } from "./runtime.js";
import { ownTenant, proveSecret, SecretRefused } from "./secretCheck.js";
import { DAY_MS } from "../../common/duration.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Graph allows at most two client secrets on apps open to personal Microsoft accounts. */
const PERSONAL_AUDIENCES = new Set(["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"]);

/** The display name kvguard gives the client secrets it adds for one Key Vault secret. */
export function markerFor(ctx: Pick<RotatorContext, "vault" | "secretName">): string {
  return `kvguard ${ctx.vault.name}/${ctx.secretName}`;
}

interface Target {
  graph: EntraGraph;
  path: string;
  app: GraphApplication;
  options: EntraOptions;
  runtime: EntraRuntime;
}

const startMs = (p: GraphPassword) => Date.parse(p.startDateTime);

/** Finds the application by object id, else by appId; the reference comes from the options or ProviderAddress. */
async function resolveTarget(ctx: RotatorContext, runtime: EntraRuntime): Promise<Target> {
  const options = ctx.options as EntraOptions;
  const ref = options.application ?? ctx.providerAddress;
  if (!ref) throw new Error("ProviderAddress: not set. Set it to the application's object id or appId (or the rotator option application)");
  if (!GUID.test(ref)) throw new Error(`ProviderAddress: "${ref}" is not an application's object id or appId (a GUID)`);
  const graph = new EntraGraph({ endpoint: runtime.graphEndpoint, credential: runtime.credential, ...(runtime.ca ? { ca: runtime.ca } : {}) });
  const log = (m: string) => ctx.log(m);
  for (const path of [EntraGraph.path({ objectId: ref }), EntraGraph.path({ appId: ref })]) {
    try {
      const app = await EntraGraph.retrying(() => graph.application(path), { log });
      return { graph, path, app, options, runtime };
    } catch (error) {
      if (!(error instanceof GraphCallError) || error.code !== "Request_ResourceNotFound") throw error;
    }
  }
  throw new Error(`ProviderAddress: no Entra application has object id or appId ${ref} (or kvguard's identity cannot see it)`);
}

/**
 * The password the current value belongs to, on the application object itself: the keyId kvguard recorded
 * when it added it (its hint must still match the value), else the only password whose hint (its first three
 * characters, as Entra shows them) matches the value. Never a keyId from a tag.
 */
function currentPassword(app: GraphApplication, current: Credential): GraphPassword | undefined {
  const recordedKeyId = current.metadata.credentialId;
  const byKey = recordedKeyId && app.passwordCredentials.find((p) => p.keyId.toLowerCase() === recordedKeyId.toLowerCase());
  if (byKey && (byKey.hint === null || current.value.startsWith(byKey.hint))) return byKey;
  const byHint = app.passwordCredentials.filter((p) => p.hint !== null && current.value.startsWith(p.hint));
  return byHint.length === 1 ? byHint[0] : undefined;
}

/** Could be the current value (same keyId or same hint): never removed. */
function mayBeCurrent(p: GraphPassword, current: Credential, currentPwd: GraphPassword | undefined): boolean {
  return p.keyId === currentPwd?.keyId || (p.hint !== null && current.value.startsWith(p.hint));
}

async function remove(target: Target, ctx: RotatorContext, p: GraphPassword, why: string): Promise<void> {
  await EntraGraph.retrying(() => target.graph.removePassword(target.path, p.keyId), { log: (m) => ctx.log(m) });
  ctx.log(`removed client secret ${p.keyId} (${p.displayName ?? "no name"}) from application ${target.app.appId}: ${why}`);
}

/**
 * Before adding: removes this secret's orphans (kvguard's secrets newer than the current one: added by a run
 * that never recorded them), then makes room when the app is at its limit. Returns the app as it now stands.
 */
async function prepare(target: Target, ctx: RotatorContext, current: Credential, limitOverride?: number): Promise<void> {
  const marker = markerFor(ctx);
  target.app = await EntraGraph.retrying(() => target.graph.application(target.path), { log: (m) => ctx.log(m) });
  const currentPwd = currentPassword(target.app, current);
  const mine = target.app.passwordCredentials.filter((p) => p.displayName === marker && !mayBeCurrent(p, current, currentPwd));
  if (currentPwd) {
    for (const orphan of mine.filter((p) => startMs(p) > startMs(currentPwd))) {
      await remove(target, ctx, orphan, "kvguard added it in a run that never recorded it (an orphan)");
      target.app.passwordCredentials = target.app.passwordCredentials.filter((p) => p.keyId !== orphan.keyId);
    }
  } else if (mine.length > 0) {
    ctx.log("cannot tell which client secret is current (no CredentialId tag, no unique hint): no orphan removed");
  }
  const limit = limitOverride ?? target.options.maxPasswords ?? (PERSONAL_AUDIENCES.has(target.app.signInAudience) ? 2 : undefined);
  if (limit === undefined || target.app.passwordCredentials.length < limit) return;
  const now = Date.now();
  const removable = target.app.passwordCredentials
    .filter((p) => p.displayName === marker && !mayBeCurrent(p, current, currentPwd))
    .sort((a, b) => Number(Date.parse(b.endDateTime) <= now) - Number(Date.parse(a.endDateTime) <= now) || startMs(a) - startMs(b));
  while (target.app.passwordCredentials.length >= limit) {
    const next = removable.shift();
    if (!next) {
      throw new Error(
        `application ${target.app.appId} allows at most ${limit} client secrets and holds ${target.app.passwordCredentials.length}; ` +
          `none is one kvguard may remove (its own for ${ctx.vault.name}/${ctx.secretName}, other than the current one). ` +
          "Remove an unused secret in Entra ID, or set the rotator option revokeInitial=true so the secret kvguard first replaced is removed after its grace period",
      );
    }
    const expired = Date.parse(next.endDateTime) <= now;
    await remove(
      target,
      ctx,
      next,
      expired
        ? `expired, and the application allows at most ${limit} secrets`
        : `to make room: the application allows at most ${limit} secrets (its grace period is cut short)`,
    );
    target.app.passwordCredentials = target.app.passwordCredentials.filter((p) => p.keyId !== next.keyId);
  }
}

/** The one tenant kvguard works in; a tenantId option naming another is refused. */
async function pinnedTenant(options: EntraOptions, runtime: EntraRuntime): Promise<string> {
  const tenant = runtime.tenantId ?? (await ownTenant(runtime));
  if (options.tenantId !== undefined && options.tenantId.toLowerCase() !== tenant.toLowerCase()) {
    throw new TrustRefusal(`the tenantId option names tenant ${options.tenantId}, not the tenant kvguard works in (${tenant})`, "KVGUARD_ENTRA_TENANT_ID");
  }
  return tenant;
}

async function prove(target: Target, ctx: RotatorContext, credential: Credential, which: "current" | "pending"): Promise<void> {
  const tenant = await pinnedTenant(target.options, target.runtime);
  const deadline = Date.now() + (which === "pending" ? target.options.propagationSeconds * 1000 : 0);
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10_000)) {
    try {
      return await proveSecret(target.runtime, tenant, target.app.appId, credential.value, target.options.scope);
    } catch (error) {
      // A new secret may take a while to reach every Entra replica; anything else will not heal by waiting.
      if (!(error instanceof SecretRefused) || !error.unknownSecret || Date.now() + wait > deadline) {
        throw new Error(`the ${which} client secret does not work: ${ensureError(error).message}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export function createEntraAppSecretRotator(): SecretRotator {
  return {
    name: "entra-app-secret",
    credentials: "dual",
    parseOptions(options) {
      const parsed = entraOptions.safeParse(options);
      if (!parsed.success)
        throw new Error(
          `entra-app-secret rotator options: ${parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ")}`,
        );
      return parsed.data;
    },

    /** The application (bound by the operator), in the pinned tenant. */
    async targets(ctx) {
      const options = ctx.options as EntraOptions;
      await pinnedTenant(options, entraRuntime(ctx.runtime));
      const application = options.application ?? ctx.providerAddress;
      return application === undefined ? [] : [{ kind: "entra-app" as const, application }];
    },

    /** The client secret the current value is: kvguard's own (recorded keyId) or the one its hint matches. */
    async identify(ctx, current): Promise<Record<string, string>> {
      const target = await resolveTarget(ctx, entraRuntime(ctx.runtime));
      const p = currentPassword(target.app, current);
      if (!p) return {};
      return p.keyId.toLowerCase() === current.metadata.credentialId?.toLowerCase() && current.metadata.added === "kvguard"
        ? { credentialId: p.keyId, added: "kvguard" }
        : { credentialId: p.keyId, matchedBy: "value" };
    },

    async create(ctx, current) {
      const target = await resolveTarget(ctx, entraRuntime(ctx.runtime));
      const endDateTime = new Date(Date.now() + target.options.lifetimeDays * DAY_MS).toISOString();
      let roomFromRefusal: number | undefined;
      // Each attempt first removes orphans, so a retry after a lost answer never leaves two new secrets.
      const added = await EntraGraph.retrying(
        async () => {
          for (;;) {
            await prepare(target, ctx, current, roomFromRefusal);
            try {
              return await target.graph.addPassword(target.path, { displayName: markerFor(ctx), endDateTime });
            } catch (error) {
              // The app's limit was unknown (no option, no personal audience): Graph told us; make room once.
              if (error instanceof GraphCallError && error.code === "TooManyAppPasswords" && roomFromRefusal === undefined) {
                roomFromRefusal = target.app.passwordCredentials.length;
                continue;
              }
              throw error;
            }
          }
        },
        { log: (m) => ctx.log(m) },
      );
      ctx.log(`added client secret ${added.keyId} to application ${target.app.appId}, valid until ${added.endDateTime}`);
      return { value: added.secretText, metadata: { credentialId: added.keyId, added: "kvguard" } };
    },

    async set(ctx, pending) {
      // addPassword applied it already; only a secret removed meanwhile (by hand) cannot be applied again.
      const target = await resolveTarget(ctx, entraRuntime(ctx.runtime));
      const keyId = pending.metadata.credentialId;
      if (!target.app.passwordCredentials.some((p) => p.keyId === keyId)) {
        throw new Error(
          `the pending client secret ${keyId ?? "(no keyId)"} is no longer on application ${target.app.appId} (removed by hand?). ` +
            `Disable the pending companion secret ${ctx.secretName}--kvguard-pending so the next run adds a new one`,
        );
      }
    },

    async test(ctx, credential, which) {
      const target = await resolveTarget(ctx, entraRuntime(ctx.runtime));
      // The value must be a client secret of this application object, not merely one that gets a token somewhere.
      if (which === "current" && !currentPassword(target.app, credential)) {
        throw new Error(
          `the secret's current value is not a client secret of application ${target.app.appId} (no password credential on the application has its keyId or hint): kvguard adds nothing`,
        );
      }
      await prove(target, ctx, credential, which);
    },

    async checkManager(ctx) {
      const target = await resolveTarget(ctx, entraRuntime(ctx.runtime));
      return `kvguard's identity reads application ${target.app.appId} through Microsoft Graph`;
    },

    async revoke(ctx, previous) {
      // kvguard's own record of the replaced client secret (written at rotation time), never a tag.
      const keyId = previous.metadata.credentialId;
      if (!keyId) return ctx.log("kvguard recorded no client secret for the replaced version: nothing removed");
      let target: Target;
      try {
        target = await resolveTarget(ctx, entraRuntime(ctx.runtime));
      } catch (error) {
        if (/no Entra application has/.test(ensureError(error).message)) return ctx.log("the application is gone: nothing to remove");
        throw error;
      }
      const p = target.app.passwordCredentials.find((c) => c.keyId.toLowerCase() === keyId.toLowerCase());
      if (!p) return ctx.log(`client secret ${keyId} is already gone`);
      if (keyId.toLowerCase() === ctx.credentialId?.toLowerCase()) return ctx.log(`client secret ${keyId} is the current one again: left in place`);
      const mine = previous.metadata.added === "kvguard";
      const initial = previous.metadata.matchedBy === "value" && target.options.revokeInitial;
      if (!mine && !initial) {
        return ctx.log(
          `client secret ${keyId} was not added by kvguard: left in place (rotator option revokeInitial=true removes the one whose hint matched the secret's value)`,
        );
      }
      await remove(target, ctx, p, "its grace period ended");
    },
  };
}

export const entraAppSecretRotator = createEntraAppSecretRotator();
