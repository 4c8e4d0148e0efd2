/** @module The ACS Email sink's settings: the resource's connection string or endpoint. */
import { z } from "zod";
import { docs } from "../docs.js";
import type { SinkSettings } from "./channel.js";

export const ACS_CONNECTION = "KVGUARD_ALERT_ACS_CONNECTION";

/** A connection string (`endpoint=…;accesskey=…`), or the resource's https endpoint alone (the app's identity). */
export const acsConnectionSetting = z.string().transform((raw, ctx): { connectionString: string } | { endpoint: string } => {
  const endpoint = /(?:^|;)\s*endpoint=([^;]+)/i.exec(raw)?.[1]?.trim();
  const hasKey = /(?:^|;)\s*accesskey=[^;]+/i.test(raw);
  if (endpoint && hasKey && /^https:\/\//i.test(endpoint)) return { connectionString: raw };
  if (!endpoint && /^https:\/\/[^;\s]+$/i.test(raw.trim())) return { endpoint: raw.trim() };
  ctx.addIssue({
    code: "custom",
    message:
      "is not an ACS connection string. Set it to endpoint=https://<resource>.communication.azure.com/;accesskey=<key>, or to the resource's https endpoint alone to use the app's managed identity",
  });
  return z.NEVER;
});

export const acsSettings = {
  type: "acs",
  title: "Azure Communication Services Email",
  mail: true,
  connectionSetting: ACS_CONNECTION,
  settings: {
    KVGUARD_ALERT_ACS_CONNECTION: acsConnectionSetting.optional().register(docs, {
      description:
        "The Azure Communication Services resource acs channels send through: its connection string, or its endpoint alone to use the app's managed identity.",
      example: "https://kvguard-mail.europe.communication.azure.com",
    }),
  },
  checkChannel(channel, values, problem) {
    if (values[ACS_CONNECTION] === undefined)
      problem(
        ACS_CONNECTION,
        `is not set, but KVGUARD_ALERT_RULES sends channel ${channel} through ACS Email. Set it to the resource's connection string or endpoint`,
      );
  },
} satisfies SinkSettings;
