/** @module A compliance report is ready: its snapshot's totals and where it is kept. */
import { z } from "zod";
import { isoTime } from "./common.js";

const count = z.number().int().nonnegative();

export const reportReady = z
  .strictObject({
    generatedAt: isoTime,
    scope: z.string().describe("the snapshot scope: all, or the frameworks and vaults reported on"),
    snapshot: z.string().describe("the snapshot's name in the report container"),
    totals: z.strictObject({ pass: count, fail: count, "not-applicable": count, error: count, total: count }),
    passRate: z.number().min(0).max(100).nullable().describe("percent of assessed results that pass; null when nothing was assessed"),
  })
  .describe("A compliance report was made.");
