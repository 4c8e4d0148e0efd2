/**
 * @module A finding raised: an audit detector found anomalous access (sent once, when first stored; later
 * merges of the same finding are not events).
 */
import { z } from "zod";
import { isoTime } from "./common.js";

export const findingRaised = z
  .strictObject({
    id: z.string().min(1).describe("stable per detector, subject and time window"),
    detector: z.string().min(1),
    severity: z.enum(["low", "medium", "high"]),
    vault: z.string().min(1).describe("the vault, or * for findings across vaults"),
    principal: z.strictObject({ oid: z.string().optional(), appid: z.string().optional(), upn: z.string().optional() }),
    ip: z.string(),
    object: z.string().optional().describe("vault/type/name when the finding is about one object"),
    start: isoTime,
    end: isoTime,
    count: z.number().int().nonnegative(),
    summary: z.string().max(4000),
    evidence: z.array(z.string()).max(20).describe("correlation ids of the audit records behind it"),
  })
  .describe("An audit detector found anomalous access.");
