/** @module The `key-pair` rotator's options: how the secret's value is laid out, and which pair of keys it rotates. */
import { z } from "zod";
import { KEY_SETS } from "./keyPairType.js";

export const VALUE_FORMATS = ["key", "connectionString", "json"] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

export const keyPairOptions = z
  .object({
    /** `key`: the key alone; `connectionString` (types that have one); `json`: `{type, resourceId, keyName, key, endpoint[, connectionString]}`. */
    format: z.enum(VALUE_FORMATS, { error: (i) => `format "${String(i.input)}" is not one of ${VALUE_FORMATS.join(", ")}` }).default("key"),
    /** `readOnly`: Cosmos DB's and App Configuration's read-only pair instead of the read-write one. */
    keys: z.enum(KEY_SETS, { error: (i) => `keys "${String(i.input)}" is not one of ${KEY_SETS.join(", ")}` }).default("readWrite"),
  })
  .strict();
export type KeyPairOptions = z.output<typeof keyPairOptions>;
