/** @module Detection row 11: any request (allowed or denied) from an address on the threat-intel list. */
import { isSuccess, principalKey } from "../record.js";
import { who } from "../finding.js";
import { matchCidr } from "../../common/network.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "credential_access_threat_intel_ip",
  name: "Access from a threat-intel or TOR address",
  tactic: "credential_access",
  severity: "medium",
  description:
    "A request comes from an IP or range on the configured threat-intel list (one IP or CIDR a line, such as TOR exit nodes). Allowed requests are high severity.",
  falsePositives: ["Stale indicators (keep the list fresh)", "Shared egress addresses of cloud providers"],
  references: ["detection.md row 11", "Defender KV_TORAccess, KV_SuspiciousIPAccess", "Sentinel TI map IP entity to Azure Key Vault logs"],
  thresholds: {},
  usesBaseline: false,
  activeWith: (inputs) => inputs.threatIntel.length > 0,
  create: () => ({
    step(r, ctx) {
      if (ctx.benign) return;
      const match = matchCidr(r.ip, ctx.inputs.threatIntel);
      if (!match) return;
      ctx.emit({
        record: r,
        subject: `${r.vault.name}|${r.ip}|${principalKey(r.principal)}`,
        windowMs: WINDOW.day,
        severity: isSuccess(r) ? "high" : "medium",
        summary: `${who(r)} called vault ${r.vault.name} from ${r.ip}, listed in threat intel (${match.text})${isSuccess(r) ? " and was allowed" : ""}`,
        baseline: { threatIntelEntry: match.text, entries: ctx.inputs.threatIntel.length },
      });
    },
  }),
};
