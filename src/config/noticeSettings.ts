/** @module The expiry notices' settings: the stages (days before expiry) at which an object nothing renews is announced. */
import { z } from "zod";
import { docs } from "./docs.js";

const EXAMPLE = "30,14,7,1";

export const noticeShape = {
  KVGUARD_EXPIRY_NOTICE_DAYS: z
    .string()
    .default(EXAMPLE)
    .transform((raw, ctx) => {
      const items = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const days = items.map(Number);
      const bad = items.filter((item, i) => !/^\d+$/.test(item) || days[i]! < 1 || days[i]! > 3650);
      if (items.length === 0 || bad.length > 0) {
        ctx.addIssue({
          code: "custom",
          message: `${bad.length ? `holds ${bad.map((b) => `"${b}"`).join(", ")}, not a whole number of days from 1 to 3650` : "lists no stage"}. Set it to days before expiry, comma-separated, such as ${EXAMPLE}`,
        });
        return z.NEVER;
      }
      // Most distant stage first: a sweep announces the nearest stage an object has reached.
      return [...new Set(days)].sort((a, b) => b - a);
    })
    .register(docs, {
      description:
        "The stages of expiry notices, in days before expiry: a secret, key or certificate nothing will rotate or renew in time is announced once per stage (and once more when it has expired).",
      default: EXAMPLE,
      example: "60,30,7",
    }),
};

export type NoticeSettings = z.output<z.ZodObject<typeof noticeShape>>;

export interface NoticeConfig {
  /** Days before expiry, most distant first. */
  stageDays: number[];
}

export function noticeConfig(settings: NoticeSettings): NoticeConfig {
  return { stageDays: settings.KVGUARD_EXPIRY_NOTICE_DAYS };
}
