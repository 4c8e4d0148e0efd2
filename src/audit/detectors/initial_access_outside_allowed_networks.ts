/** @module Access from an address outside the configured allowed networks (CIDR list). */
import { isSuccess, principalKey } from "../record.js";
import { who } from "../finding.js";
import { ipValue, matchCidr } from "../../common/network.js";
import type { Detector } from "./detector.js";
import { WINDOW } from "./operations.js";

export const detector: Detector = {
  id: "initial_access_outside_allowed_networks",
  name: "Access outside allowed networks",
  tactic: "initial_access",
  severity: "medium",
  description:
    "A request from an address in none of the configured allowed networks (only when a list is configured). Allowed requests are high severity: the vault firewall let them through.",
  falsePositives: ["Azure services calling from their own ranges (add them to the list)", "A new office or VPN range not yet listed"],
  references: ["kvguard: allowed-network policy"],
  thresholds: {},
  usesBaseline: false,
  activeWith: (inputs) => inputs.allowedNetworks.length > 0,
  create: () => ({
    step(r, ctx) {
      if (ctx.benign || ctx.inputs.allowedNetworks.length === 0 || !ipValue(r.ip)) return;
      if (matchCidr(r.ip, ctx.inputs.allowedNetworks)) return;
      ctx.emit({
        record: r,
        subject: `${r.vault.name}|${principalKey(r.principal)}|${r.ip}`,
        windowMs: WINDOW.day,
        severity: isSuccess(r) ? "high" : undefined,
        summary: `${who(r)} called vault ${r.vault.name} from ${r.ip}, outside the allowed networks${isSuccess(r) ? " (allowed by the vault)" : ""}`,
        baseline: { allowedNetworks: ctx.inputs.allowedNetworks.map((c) => c.text) },
      });
    },
  }),
};
