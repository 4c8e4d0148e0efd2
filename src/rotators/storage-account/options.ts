/** @module The `storage-account` rotator's options: how the secret's value is laid out, and where to validate. */
import { z } from "zod";
import { VALUE_FORMATS } from "../key-pair/options.js";

export const storageAccountOptions = z
  .object({
    /** `key`: the account key alone; `connectionString`; `json`: `{accountName, keyName, key, blobEndpoint, connectionString}`. */
    format: z.enum(VALUE_FORMATS, { error: (i) => `format "${String(i.input)}" is not one of ${VALUE_FORMATS.join(", ")}` }).default("key"),
    /** The blob endpoint new keys are validated against; default: the account's `primaryEndpoints.blob` from ARM. */
    blobEndpoint: z
      .url({ protocol: /^https?$/, error: () => "blobEndpoint is not an http(s) URL (https://myaccount.blob.core.windows.net)" })
      .transform((url) => url.replace(/\/+$/, ""))
      .optional(),
  })
  .strict();
export type StorageAccountOptions = z.output<typeof storageAccountOptions>;
