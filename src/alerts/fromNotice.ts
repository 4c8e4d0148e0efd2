/** @module The alert an expiry notice raises: which object version expires when, why nothing renews it, what to do. */
import { randomUUID } from "node:crypto";
import type { Notice } from "../notices/notice.js";
import { noticePath } from "../notices/notice.js";
import { stageText } from "../notices/stages.js";
import type { Alert, AlertSeverity } from "./alert.js";

function severityOf(n: Notice): AlertSeverity {
  if (n.stage === "expired" || n.daysLeft < 7) return "high";
  return n.daysLeft < 14 ? "medium" : "low";
}

function csrText(n: Notice): string {
  if (!n.csr) return "";
  const print = `kvguard csr ${n.vault}/${n.name}`;
  switch (n.csr.state) {
    case "ready":
      return ` A CSR is ready in its pending operation (${print} prints it): have it signed and merge the certificate.`;
    case "gone":
      return ` The CSR kvguard prepared for this version is no longer pending (cancelled, deleted or merged); kvguard does not make another.`;
    case "failed":
      return ` kvguard could not prepare the CSR its policy entry asks for: ${n.csr.error}.`;
  }
}

export function alertFromNotice(n: Notice): Alert {
  const where = noticePath(n);
  const day = n.expiresOn.slice(0, 10);
  const expired = n.stage === "expired";
  const left = n.daysLeft === 0 ? "within a day" : n.daysLeft === 1 ? "in 1 day" : `in ${n.daysLeft} days`;
  const title = expired ? `${where} has expired and nothing renewed it` : `${where} expires ${left} and nothing will renew it`;
  const next = n.nextStage === undefined ? "" : n.nextStage === "expired" ? " Next notice when it has expired." : ` Next notice at ${stageText(n.nextStage)}.`;
  return {
    id: randomUUID(),
    kind: "expiry-notice",
    severity: severityOf(n),
    dedupKey: `expiry-notice|${where}|${n.version}|${n.stage}`.toLowerCase(),
    title,
    vault: n.vault,
    object: { type: n.objectType, name: n.name },
    at: n.noticedAt,
    explanation: `Version ${n.version} ${expired ? "expired" : "expires"} on ${day} (${expired ? "expired" : stageText(n.stage)} notice): ${n.why}.${csrText(n)}${expired ? "" : next}`,
  };
}
