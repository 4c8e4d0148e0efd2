/**
 * @module Every alert sink, one per file (`<type>.ts` exporting `sink`: its settings half from
 * config/sinks/ and `create`). Adding a sink is its file here and one line below, its settings file in
 * config/sinks/ (settings with docs, channel check) and one line there, its rows in docs/settings.md and a
 * local receiver for the contract suite (test/alerts/sinkContract.test.ts, which checks the two lists agree).
 */
import type { SinkPlugin } from "./sink.js";
import { sink as acs } from "./acsEmail.js";
import { sink as smtp } from "./smtp.js";
import { sink as teams } from "./teams.js";

const SINKS = [teams, smtp, acs] as const;

export const sinkPlugins: readonly SinkPlugin[] = SINKS;

export function sinkPlugin(type: string): SinkPlugin {
  const plugin = sinkPlugins.find((s) => s.type === type);
  if (!plugin) throw new Error(`no alert sink of type ${type}; known: ${sinkPlugins.map((s) => s.type).join(", ")}`);
  return plugin;
}
