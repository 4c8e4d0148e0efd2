/**
 * @module The alert sinks' settings, one file each: what the settings schema, the rules' channel types and
 * the channel cross-check read. A sink is its settings file here (one line below) and its delivery in
 * alerts/sinks/ (one line in its registry); test/alerts/sinkContract.test.ts checks the two lists agree.
 */
import { acsSettings } from "./acs.js";
import type { SinkSettings } from "./channel.js";
import { smtpSettings } from "./smtp.js";
import { teamsSettings } from "./teams.js";

const SINKS = [teamsSettings, smtpSettings, acsSettings] as const;

export const SINK_SETTINGS: readonly SinkSettings[] = SINKS;

export const SINK_TYPES = SINKS.map((s) => s.type) as [(typeof SINKS)[number]["type"], ...(typeof SINKS)[number]["type"][]];

type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every sink's settings, in registry order, for the app's settings schema. */
export const sinkSettings = Object.assign({}, ...SINKS.map((s) => s.settings)) as Intersect<(typeof SINKS)[number]["settings"]>;

export function sinkSettingsOf(type: string): SinkSettings {
  const found = SINK_SETTINGS.find((s) => s.type === type);
  if (!found) throw new Error(`no alert sink of type ${type}; known: ${SINK_TYPES.join(", ")}`);
  return found;
}
