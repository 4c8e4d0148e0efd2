/** @module A setting that is a whole number of at least 1, with the message that says how to fix it. */
import { z } from "zod";

export const positiveInt = (example: number) =>
  z.coerce
    .number({ error: () => `is not a number. Set it to a whole number such as ${example}` })
    .int({ error: () => `is not a whole number. Set it to a whole number such as ${example}` })
    .positive({ error: () => `must be at least 1. Set it to a whole number such as ${example}` });
