/** @module A setting that is a positive duration (seconds or ISO-8601), parsed to seconds, with the message that says how to fix it. */
import { z } from "zod";
import { parseDurationSeconds } from "../common/duration.js";

export const positiveDuration = (example: string) =>
  z.string().transform((text, ctx) => {
    try {
      const seconds = parseDurationSeconds(text);
      if (seconds > 0) return seconds;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: "custom", message: `"${text}" is not a positive duration. Set it to seconds or ISO-8601, such as ${example}` });
    return z.NEVER;
  });
