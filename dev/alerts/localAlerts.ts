/**
 * @module Both local catchers and the settings that route every alert to them, for `npm start`: the local
 * stack adds `settings` to the environment it runs kvguard with, and a newcomer sees real cards and mails
 * under `out/alerts/`. The stack gives the SMTP catcher its certificate, so mail goes over STARTTLS as in
 * production; without one, the settings allow clear text explicitly, as an operator would for a local relay.
 */
import { SmtpCatcher, type SmtpCatcherOptions } from "./smtpCatcher.js";
import { TeamsCatcher } from "./teamsCatcher.js";

export interface LocalAlerts {
  teams: TeamsCatcher;
  smtp: SmtpCatcher;
  /** KVGUARD_ALERT_* settings: every alert kind to a local Teams channel and a local mail channel. */
  settings: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalAlerts(options: Omit<SmtpCatcherOptions, "port" | "password"> & { outDir: string }): Promise<LocalAlerts> {
  const [teams, smtp] = await Promise.all([TeamsCatcher.start(options), SmtpCatcher.start(options)]);
  const rules = {
    channels: { "local-teams": { type: "teams" }, "local-mail": { type: "smtp", to: ["secops@kvguard.localhost"] } },
    routes: [{ channels: ["local-teams", "local-mail"] }],
    dedupWindow: "PT10M",
  };
  return {
    teams,
    smtp,
    settings: {
      KVGUARD_ALERT_RULES: JSON.stringify(rules),
      KVGUARD_ALERT_TEAMS_WEBHOOKS: `local-teams=${teams.url}`,
      KVGUARD_ALERT_SMTP_CONNECTION: smtp.url,
      KVGUARD_ALERT_FROM: "kvguard@kvguard.localhost",
      ...(options.tls ? {} : { KVGUARD_ALERT_SMTP_STARTTLS: "optional" }),
    },
    close: async () => {
      await Promise.all([teams.close(), smtp.close()]);
    },
  };
}
