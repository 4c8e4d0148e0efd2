/** @module The `entra-app-secret` rotator's options (from `kvguard-options` or the policy file). */
import { z } from "zod";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tags carry text: accept true/false as words too. */
const flag = z.union([z.boolean(), z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true")]);

export const entraOptions = z
  .object({
    /** The application (object id or appId); else the `ProviderAddress` tag. */
    application: z.string().regex(GUID, "application must be the app's object id or appId (a GUID)").optional(),
    /** The tenant; only the one kvguard works in (KVGUARD_ENTRA_TENANT_ID, default its own) is accepted. */
    tenantId: z
      .string()
      .regex(/^[0-9a-zA-Z.-]{1,128}$/, "tenantId must be a tenant id (GUID) or domain")
      .optional(),
    /** The token scope the new secret is tested with. */
    scope: z
      .string()
      .regex(/\/\.default$/, "scope must end with /.default (a client-credentials scope)")
      .default("https://graph.microsoft.com/.default"),
    /** Lifetime of each new client secret; keep it above ValidityPeriodDays plus the grace period. */
    lifetimeDays: z.coerce.number().int().min(1, "lifetimeDays must be at least 1").max(3650, "lifetimeDays must be at most 3650").default(180),
    /** Most client secrets the app may hold (default: 2 for apps open to personal Microsoft accounts, else Graph's answer). */
    maxPasswords: z.coerce.number().int().min(1, "maxPasswords must be at least 1").optional(),
    /** How long a new secret may take to be accepted by the token endpoint (Entra replication). */
    propagationSeconds: z.coerce.number().int().min(0).max(900, "propagationSeconds must be at most 900").default(60),
    /** Also remove, after its grace period, the first secret (made by hand) that kvguard replaced: only the one whose hint matched the secret's value. */
    revokeInitial: flag.default(false),
  })
  .strict();
export type EntraOptions = z.output<typeof entraOptions>;
