/**
 * @module The emulator's admin API for Event Grid-style event subscriptions (not part of Key Vault or of
 * Event Grid's ARM API): create or update with the validation handshake, list, get with delivery counters,
 * delete, and the `validationUrl` of a manual handshake. Unauthenticated, on loopback, like the rest of
 * `/management/`.
 */
import type { CreateContext, SubscriptionInput } from "../events/delivery.js";
import { KvError } from "../http/errors.js";
import type { LocalKeyVault } from "../localKeyVault.js";
import type { AdminContext, AdminRoute } from "./routes.js";

/** The vaults served and the admin base URL, which creating a subscription needs. */
export function deliveryContext(kv: LocalKeyVault): CreateContext {
  const vaults = [...kv.vaults.values()].map((v) => ({ name: v.name, url: v.url, resourceId: v.resourceId }));
  return { vaults, validationBaseUrl: vaults[0]?.url ?? "https://127.0.0.1" };
}

/**
 * Applies the `subscriptions` start option: each is created (or updated) with its handshake. A failure
 * stops the emulator and rejects, so a misconfigured endpoint is noticed at start rather than later.
 */
export async function applySubscriptionOptions(kv: LocalKeyVault, inputs: readonly SubscriptionInput[]): Promise<void> {
  try {
    for (const input of inputs) await kv.delivery.create(input, deliveryContext(kv));
  } catch (error) {
    await kv.close();
    throw new Error(`local Key Vault: subscription option refused: ${(error as Error).message}`, { cause: error });
  }
  if (inputs.length) kv.changed();
}

function notFound(name: string): KvError {
  return new KvError(404, "SubscriptionNotFound", `No event subscription named ${name}.`);
}

function nameOf(ctx: AdminContext): string {
  return ctx.params.name!;
}

export const subscriptionRoutes: AdminRoute[] = [
  {
    method: "POST",
    path: "/management/subscriptions",
    async handle({ kv, body }) {
      const { created, view } = await kv.delivery.create(body, deliveryContext(kv));
      kv.changed();
      return { status: created ? 201 : 200, body: view };
    },
  },
  { method: "GET", path: "/management/subscriptions", handle: ({ kv }) => ({ body: kv.delivery.list() }) },
  {
    method: "GET",
    path: "/management/subscriptions/{name}",
    handle(ctx) {
      const view = ctx.kv.delivery.get(nameOf(ctx));
      if (!view) throw notFound(nameOf(ctx));
      return { body: view };
    },
  },
  {
    method: "DELETE",
    path: "/management/subscriptions/{name}",
    handle(ctx) {
      if (!ctx.kv.delivery.delete(nameOf(ctx))) throw notFound(nameOf(ctx));
      ctx.kv.changed();
      return { status: 204 };
    },
  },
  {
    method: "GET",
    path: "/management/subscriptions/{name}/validate/{code}",
    handle(ctx) {
      if (!ctx.kv.delivery.validateManually(nameOf(ctx), ctx.params.code!)) {
        throw new KvError(
          404,
          "ValidationNotPending",
          `No validation of subscription ${nameOf(ctx)} with that code is in progress; a validationUrl works only while the subscription is being created.`,
        );
      }
      return { body: { message: "Webhook successfully validated as a subscription endpoint." } };
    },
  },
];
