/**
 * @module Admin API for fault injection: `POST /management/faults` makes the next N matching data-plane
 * requests fail with Key Vault's error for a status; `GET` lists the faults; `DELETE` clears them.
 */
import { z } from "zod";
import { parseBody } from "../common/attributes.js";
import { KvError } from "../http/errors.js";
import type { AdminRoute } from "./routes.js";

/** A fault as the admin APIs take it (the local cloud's `/management/faults` too). */
export const faultBody = z
  .object({
    status: z.number().int().min(400).max(599),
    count: z.number().int().positive(),
    match: z.string().min(1).optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
  })
  .strict();

export const faultRoutes: AdminRoute[] = [
  { method: "GET", path: "/management/faults", handle: ({ kv }) => ({ body: kv.faults.list() }) },
  {
    method: "POST",
    path: "/management/faults",
    handle({ kv, body }) {
      const spec = parseBody(faultBody, body);
      try {
        return { status: 201, body: kv.faults.add(spec) };
      } catch (error) {
        throw new KvError(400, "BadParameter", (error as Error).message);
      }
    },
  },
  { method: "DELETE", path: "/management/faults", handle: ({ kv }) => ({ body: { cleared: kv.faults.clear() } }) },
];
