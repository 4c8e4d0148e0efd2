/**
 * @module The emulator's own admin API under `/management/` (not part of Key Vault): the clock and vault
 * role assignments. It answers on every vault's port, without authentication, on loopback only.
 */
import { z } from "zod";
import { ROLE_NAMES, type RoleAssignment } from "../auth/rbac.js";
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
const roleAssignmentsBody = z.array(z.object({ principalId: z.string().min(1), role: z.enum(ROLE_NAMES) }));

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
      const assignments: RoleAssignment[] = parseBody(roleAssignmentsBody, ctx.body);
      ctx.kv.setRoleAssignments(vaultOf(ctx), assignments);
      return { body: assignments };
    },
  },
];
