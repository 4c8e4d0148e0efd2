/**
 * @module `%NAME%` app-setting expressions in trigger options (a schedule, a queue name), resolved as the
 * Functions host resolves them: each `%NAME%` is replaced by that app setting. When the setting is unset,
 * kvguard's settings table supplies its documented default, so the runner runs with what docs/settings.md says.
 */
import { settingsTable } from "../../src/config/schema.js";

export type Env = Readonly<Record<string, string | undefined>>;

const EXPRESSION = /%([^%]+)%/g;

/** The value of one app setting: the environment first, then the settings table's default. */
export function appSetting(name: string, env: Env): string | undefined {
  const value = env[name]?.trim();
  if (value) return value;
  return settingsTable.find((row) => row.name === name)?.default;
}

/**
 * Replaces every `%NAME%` in `text`.
 * @throws when a named setting has neither a value nor a default, naming it (as the host refuses to index
 * such a function)
 */
export function resolveAppSettings(text: string, env: Env): string {
  return text.replace(EXPRESSION, (_match, name: string) => {
    const value = appSetting(name, env);
    if (value === undefined) throw new Error(`'%${name}%' does not resolve to a value: set the app setting ${name}`);
    return value;
  });
}
