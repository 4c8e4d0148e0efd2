/** @module Object attributes as Key Vault stores and returns them (dates in unix seconds). */
import { z } from "zod";
import { errors } from "../http/errors.js";

export interface Attributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
}

/** What a client may send: the service keeps `created`/`updated` itself. */
export const attributesInput = z
  .object({
    enabled: z.boolean().optional(),
    nbf: z.number().int().nonnegative().optional(),
    exp: z.number().int().nonnegative().optional(),
  })
  .loose();
export type AttributesInput = z.infer<typeof attributesInput>;

export const MAX_TAGS = 15;
export const tagsInput = z
  .record(z.string().min(1).max(512), z.string().max(512))
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, { message: `at most ${MAX_TAGS} tags are allowed` });

/** Validates a request body with a zod schema, answering 400 BadParameter with the first problem. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? issue.path.join(".") : "body";
    throw errors.badParameter(`Invalid request body: ${where}: ${issue.message}`);
  }
  return result.data;
}

export function applyAttributes(current: Attributes | undefined, input: AttributesInput | undefined, now: number): Attributes {
  const next: Attributes = {
    enabled: input?.enabled ?? current?.enabled ?? true,
    created: current?.created ?? now,
    updated: now,
  };
  const nbf = input && "nbf" in input ? input.nbf : current?.nbf;
  const exp = input && "exp" in input ? input.exp : current?.exp;
  if (nbf !== undefined) next.nbf = nbf;
  if (exp !== undefined) next.exp = exp;
  if (next.nbf !== undefined && next.exp !== undefined && next.nbf > next.exp) {
    throw errors.badParameter("Invalid attributes: nbf (not before) must be earlier than exp (expiry).");
  }
  return next;
}

/** The wire form, with the vault's recovery settings. */
export function attributesOut(attributes: Attributes, recovery: { recoveryLevel: string; recoverableDays: number }) {
  return { ...attributes, recoveryLevel: recovery.recoveryLevel, recoverableDays: recovery.recoverableDays };
}
