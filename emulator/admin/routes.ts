/**
 * @module The emulator's own admin API under `/management/` (not part of Key Vault): the clock and vault
 * role assignments (each at the vault or at one object, its scope answered as `/secrets/NAME`). It answers
 * on every vault's port, without authentication, on loopback only.
 */
import { z } from "zod";
import { normalizeScope, ROLE_NAMES, type RoleAssignment } from "../auth/rbac.js";
import { parseBody } from "../common/attributes.js";
import { KvError } from "../http/errors.js";
import type { Method } from "../http/route.js";
import type { LocalKeyVault } from "../localKeyVault.js";

export interface AdminContext {
  kv: LocalKeyVault;
  params: Record<string, string>;
  body: unknown;
}

export interface AdminRoute {
  method: Method;
  path: string;
  handle(ctx: AdminContext): { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;
}

const advanceBody = z.object({ seconds: z.number().positive() });
const roleAssignmentsBody = z.array(z.object({ principalId: z.string().min(1), role: z.enum(ROLE_NAMES), scope: z.string().optional() }));

function vaultOf(ctx: AdminContext) {
  const vault = ctx.kv.vaults.get(ctx.params.vault!.toLowerCase());
  if (!vault) throw new KvError(404, "VaultNotFound", `No vault named ${ctx.params.vault} is served here.`);
  return vault;
}

function clockView(kv: LocalKeyVault) {
  return { offsetSeconds: kv.clock.offsetSeconds, now: new Date(kv.clock.nowMs()).toISOString(), nowSeconds: kv.clock.nowSeconds() };
}

export const adminRoutes: AdminRoute[] = [
  { method: "GET", path: "/management/clock", handle: ({ kv }) => ({ body: clockView(kv) }) },
  {
    method: "POST",
    path: "/management/clock/advance",
    handle({ kv, body }) {
      kv.clock.advance(parseBody(advanceBody, body).seconds);
      return { body: clockView(kv) };
    },
  },
  {
    method: "GET",
    path: "/management/vaults",
    handle: ({ kv }) => ({
      body: [...kv.vaults.values()].map((v) => ({ name: v.name, url: v.url, resourceId: v.resourceId })),
    }),
  },
  {
    method: "GET",
    path: "/management/vaults/{vault}/roleAssignments",
    handle: (ctx) => ({ body: vaultOf(ctx).roleAssignments }),
  },
  {
    method: "PUT",
    path: "/management/vaults/{vault}/roleAssignments",
    handle(ctx) {
      const vault = vaultOf(ctx);
      const assignments: RoleAssignment[] = parseBody(roleAssignmentsBody, ctx.body).map(({ scope, ...a }, i) => {
        try {
          const normalized = normalizeScope(scope, vault.resourceId);
          return normalized === undefined ? a : { ...a, scope: normalized };
        } catch (error) {
          throw new KvError(400, "BadParameter", `Invalid request body: ${i}.scope: ${(error as Error).message}`);
        }
      });
      ctx.kv.setRoleAssignments(vault, assignments);
      return { body: assignments };
    },
  },
];
