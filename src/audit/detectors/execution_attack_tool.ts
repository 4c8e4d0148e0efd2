/** @module Detection row 14 (tools): requests made with scripting HTTP clients or pentest tooling rather than an SDK. */
import { principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

const TOOLS = /\b(curl|wget|python-requests|Go-http-client|PostmanRuntime|kali|parrot|pentoo|sqlmap|nmap|MicroBurst|PowerZure|ROADtools|AzureHound)\b/i;

// Callers reuse a few user agents: each is matched once (cleared if odd input floods the map).
const tools = new Map<string, string | null>();

function toolOf(client: string): string | null {
  let tool = tools.get(client);
  if (tool === undefined) {
    tool = TOOLS.exec(client)?.[0] ?? null;
    if (tools.size >= 100_000) tools.clear();
    tools.set(client, tool);
  }
  return tool;
}

export const detector: Detector = {
  id: "execution_attack_tool",
  name: "Scripting or attack tool as client",
  tactic: "execution",
  severity: "medium",
  description:
    "A request whose user agent is a bare scripting HTTP client (curl, python-requests, Go-http-client...) or known pentest tooling, not an Azure SDK, CLI or portal.",
  falsePositives: ["Health checks and scripts written by operators (suppress their principal)"],
  references: ["detection.md row 14", "GuardDuty PenTest:IAMUser/KaliLinux", "Elastic AWS hunting on SDK user agents"],
  thresholds: {},
  usesBaseline: false,
  create: () => ({
    step(r, ctx) {
      if (ctx.benign) return;
      const tool = toolOf(r.client);
      if (!tool) return;
      ctx.emit({
        record: r,
        subject: `${r.vault.name}|${principalKey(r.principal)}|${tool.toLowerCase()}`,
        windowMs: WINDOW.day,
        summary: `${who(r)} called vault ${r.vault.name} with ${tool} (${r.operation}, status ${r.status})`,
        baseline: { toolPattern: TOOLS.source },
      });
    },
  }),
};
