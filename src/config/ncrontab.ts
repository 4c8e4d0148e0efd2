/** @module NCRONTAB schedules as the Functions timer trigger takes them: six fields, seconds first. */
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";

/** A zod string that must be a six-field NCRONTAB expression. */
export function ncrontab(example: string) {
  return z.string().superRefine((value, ctx) => {
    const fields = value.trim().split(/\s+/);
    let valid = fields.length === 6;
    if (valid) {
      try {
        CronExpressionParser.parse(value, { tz: "UTC" });
      } catch {
        valid = false;
      }
    }
    if (!valid) {
      ctx.addIssue({
        code: "custom",
        message: `"${value}" is not an NCRONTAB schedule (six fields: second minute hour day month day-of-week). Set it to something like ${example}`,
      });
    }
  });
}
