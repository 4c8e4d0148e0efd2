/** @module Detection row 18: any request touching a canary (decoy) object: nobody legitimate reads it. */
import { principalKey } from "../record.js";
import { who } from "../finding.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "collection_canary_secret",
  name: "Canary secret touched",
  tactic: "collection",
  severity: "high",
  description: "Any get, list of versions, backup or other request on an object configured as a canary (a decoy no app uses).",
  falsePositives: ["Whoever created or rotates the canary (suppress that principal)"],
  references: ["detection.md row 18", "Panther decoy_secret_accessed"],
  thresholds: {},
  usesBaseline: false,
  activeWith: (inputs) => inputs.canaries.length > 0,
  create: () => ({
    step(r, ctx) {
      if (ctx.benign || !r.object || ctx.inputs.canaries.length === 0) return;
      const name = r.object.name;
      const full = `${r.vault.name}/${name}`;
      if (!ctx.inputs.canaries.includes(name) && !ctx.inputs.canaries.includes(full)) return;
      ctx.emit({
        record: r,
        subject: `${full}|${principalKey(r.principal)}`,
        windowMs: WINDOW.day,
        object: `${r.vault.name}/${r.object.type}/${name}`,
        summary: `${who(r)} ran ${r.operation} on canary ${full} (status ${r.status})`,
        baseline: { canaries: ctx.inputs.canaries.length },
      });
    },
  }),
};
