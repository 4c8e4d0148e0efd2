/**
 * @module Every alert sink, one per file (`<type>.ts` exporting `sink`). Adding a sink is adding its file
 * (settings with docs, channel check, `create`), one line here, its rows in docs/settings.md and a local
 * receiver for the contract suite (test/alerts/sinkContract.test.ts).
 */
import type { SinkPlugin } from "./sink.js";
import { sink as acs } from "./acsEmail.js";
import { sink as smtp } from "./smtp.js";
import { sink as teams } from "./teams.js";

const SINKS = [teams, smtp, acs] as const;

export const sinkPlugins: readonly SinkPlugin[] = SINKS;

export const SINK_TYPES = SINKS.map((s) => s.type) as [(typeof SINKS)[number]["type"], ...(typeof SINKS)[number]["type"][]];

type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every sink's settings, in registry order, for the app's settings schema. */
export const sinkSettings = Object.assign({}, ...SINKS.map((s) => s.settings)) as Intersect<(typeof SINKS)[number]["settings"]>;

export function sinkPlugin(type: string): SinkPlugin {
  const plugin = sinkPlugins.find((s) => s.type === type);
  if (!plugin) throw new Error(`no alert sink of type ${type}; known: ${SINK_TYPES.join(", ")}`);
  return plugin;
}
