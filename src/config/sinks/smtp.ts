/** @module The SMTP sink's settings: the server's URL and whether STARTTLS is required. */
import { z } from "zod";
import { docs } from "../docs.js";
import type { SinkSettings } from "./channel.js";

export const SMTP_CONNECTION = "KVGUARD_ALERT_SMTP_CONNECTION";
export const SMTP_STARTTLS = "KVGUARD_ALERT_SMTP_STARTTLS";
const SMTP_EXAMPLE = "smtps://user:password@smtp.example.com:465 or smtp://user:password@smtp.example.com:587";

/** `smtps://` (TLS from the start) or `smtp://` (STARTTLS: KVGUARD_ALERT_SMTP_STARTTLS), host, port, login; nothing else. */
export const smtpConnectionSetting = z.string().superRefine((raw, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^smtps?:$/.test(url.protocol) || !url.hostname) {
    ctx.addIssue({ code: "custom", message: `is not an SMTP URL. Set it to ${SMTP_EXAMPLE}` });
  } else if (url.search || url.hash || (url.pathname !== "" && url.pathname !== "/")) {
    // nodemailer would read transport options from the query (ignoreTLS, tls.rejectUnauthorized...).
    ctx.addIssue({
      code: "custom",
      message: `has a path or query (${url.search ? "?…" : url.pathname}); kvguard reads only the scheme, login, host and port. Remove it; TLS is set by the scheme and KVGUARD_ALERT_SMTP_STARTTLS`,
    });
  }
});

export const startTlsSetting = z.enum(["required", "optional"], { error: () => "must be required or optional" }).default("required");

export const smtpSettings = {
  type: "smtp",
  title: "SMTP server (nodemailer; smtps:// or STARTTLS)",
  mail: true,
  connectionSetting: SMTP_CONNECTION,
  settings: {
    KVGUARD_ALERT_SMTP_CONNECTION: smtpConnectionSetting.optional().register(docs, {
      description: "The SMTP server smtp channels send through, as a URL with credentials.",
      example: "smtps://alerts%40contoso.com:<password>@smtp.office365.com:465",
    }),
    KVGUARD_ALERT_SMTP_STARTTLS: startTlsSetting.register(docs, {
      description:
        "For an smtp:// connection: required sends only after the server upgrades the connection with STARTTLS (certificate and host checked); optional also sends in clear text to a server that does not offer it (a relay on a network you trust). smtps:// is TLS from the start either way.",
    }),
  },
  checkChannel(channel, values, problem) {
    if (values[SMTP_CONNECTION] === undefined)
      problem(SMTP_CONNECTION, `is not set, but KVGUARD_ALERT_RULES sends channel ${channel} by SMTP. Set it to smtps://user:password@host:465`);
  },
} satisfies SinkSettings;
