/** @module The `random` rotator's options: length, character classes and characters to leave out. */
import { z } from "zod";

export const CLASSES = {
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  lower: "abcdefghijklmnopqrstuvwxyz",
  digit: "0123456789",
  symbol: "!#$%()*+,-./:;<=>?@[]^_{|}~",
} as const;
export type CharacterClass = keyof typeof CLASSES;

const classList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((c) => c.trim()).filter(Boolean))
  .pipe(
    z
      .array(
        z.enum(Object.keys(CLASSES) as [CharacterClass, ...CharacterClass[]], {
          error: (i) => `unknown character class "${String(i.input)}" (use upper, lower, digit, symbol)`,
        }),
      )
      .min(1),
  );

export const randomOptions = z
  .object({
    length: z.coerce.number().int().min(8, "length must be at least 8").max(4096, "length must be at most 4096").default(32),
    classes: classList.default(["upper", "lower", "digit", "symbol"]),
    /** Characters never used: quotes and backslashes break connection strings and shells. */
    exclude: z.string().default(`"'\`\\`),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const c of o.classes) {
      if ([...CLASSES[c]].every((ch) => o.exclude.includes(ch))) {
        ctx.addIssue({ code: "custom", message: `exclude leaves no character of class ${c}` });
      }
    }
    if (o.length < o.classes.length) ctx.addIssue({ code: "custom", message: "length is shorter than the number of classes" });
  });
export type RandomOptions = z.output<typeof randomOptions>;
