/**
 * @module The mail: a subject with severity and what happened, an HTML body (inline styles and tables, as
 * mail clients need) and a plain-text alternative with the same content. What an alert quotes (tags, errors,
 * audit records) is one plain line (`plainText`), HTML-escaped in the HTML body: it can neither add markup nor
 * forge lines of the text body or headers of the subject.
 */
import { escapeHtml } from "../../common/html.js";
import { KIND_LABELS, objectPath, type Alert } from "../alert.js";
import { links, rotateNow, type LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { facts, MAIL_COLOURS, plainText, SEVERITY_WORDS, subject, summaryCounts, summaryLine, summaryTitle, when } from "./format.js";

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

/** A value for the HTML body: one plain line, HTML-escaped. */
function escape(value: string): string {
  return escapeHtml(plainText(value));
}

const FONT = "font-family:Segoe UI,Helvetica,Arial,sans-serif";

function banner(severity: Alert["severity"], label: string, title: string, subtitle?: string): string {
  const { background, text } = MAIL_COLOURS[severity];
  return (
    `<tr><td style="background:${background};color:${text};padding:16px 20px;${FONT}">` +
    `<div style="font-size:12px;font-weight:700;letter-spacing:.06em">${escape(SEVERITY_WORDS[severity])} · ${escape(label)}</div>` +
    `<div style="font-size:20px;font-weight:600;margin-top:4px">${escape(title)}</div>` +
    `${subtitle ? `<div style="font-size:14px;margin-top:2px">${escape(subtitle)}</div>` : ""}</td></tr>`
  );
}

function alertHtml(alert: Alert, context: LinkContext): string {
  const rows = facts(alert)
    .map(
      (f) =>
        `<tr><td style="padding:3px 16px 3px 0;color:#605e5c;white-space:nowrap;vertical-align:top">${escape(f.title)}</td><td style="padding:3px 0">${escape(f.value)}</td></tr>`,
    )
    .join("");
  const rotate = rotateNow(alert, context);
  const rotateHtml = rotate
    ? `<p style="margin:16px 0 4px;font-weight:600">Rotate now</p><pre style="margin:0;padding:8px 10px;background:#f3f2f1;border-radius:4px;font-size:13px;white-space:pre-wrap;word-break:break-all">${escape(rotate.command)}\n${escape(rotate.request)}</pre>`
    : "";
  const linkHtml = links(alert)
    .map(
      (l) =>
        `<a href="${escape(l.url)}" style="display:inline-block;margin:16px 8px 0 0;padding:8px 14px;background:#0f6cbd;color:#fff;text-decoration:none;border-radius:4px">${escape(l.title)}</a>`,
    )
    .join("");
  return (
    banner(alert.severity, KIND_LABELS[alert.kind], alert.title) +
    `<tr><td style="padding:16px 20px;${FONT};font-size:14px;color:#201f1e">` +
    `<table role="presentation" style="border-collapse:collapse;font-size:14px">${rows}</table>` +
    `<p style="margin:16px 0 0;line-height:1.5">${escape(alert.explanation)}</p>${rotateHtml}${linkHtml}</td></tr>`
  );
}

function summaryHtml(message: Extract<AlertMessage, { kind: "summary" }>): string {
  const rows = message.alerts
    .map((a) => {
      const { background, text } = MAIL_COLOURS[a.severity];
      return (
        `<tr><td style="padding:6px 10px 6px 0;vertical-align:top"><span style="display:inline-block;min-width:64px;text-align:center;background:${background};color:${text};font-size:11px;font-weight:700;padding:2px 6px;border-radius:3px">${SEVERITY_WORDS[a.severity]}</span></td>` +
        `<td style="padding:6px 0;border-bottom:1px solid #edebe9"><div style="font-weight:600">${escape(a.title)}</div>` +
        `<div style="color:#605e5c;font-size:12px">${escape(`${KIND_LABELS[a.kind]} · ${objectPath(a)} · ${when(a.at)}${a.count !== undefined ? ` · ${a.count}×` : ""}`)}</div>` +
        `<div style="font-size:13px;margin-top:2px">${escape(a.explanation)}</div></td></tr>`
      );
    })
    .join("");
  const more = message.omitted ? `<p style="color:#605e5c">and ${message.omitted} more (see kvguard's logs and status)</p>` : "";
  return (
    banner(message.severity, "kvguard summary", summaryTitle(message), summaryCounts(message)) +
    `<tr><td style="padding:12px 20px;${FONT};font-size:14px;color:#201f1e"><table role="presentation" style="border-collapse:collapse;width:100%">${rows}</table>${more}</td></tr>`
  );
}

function alertText(alert: Alert, context: LinkContext): string {
  const lines = [
    `${SEVERITY_WORDS[alert.severity]}: ${plainText(alert.title)}`,
    "",
    ...facts(alert).map((f) => `${f.title}: ${plainText(f.value)}`),
    "",
    plainText(alert.explanation),
  ];
  const rotate = rotateNow(alert, context);
  if (rotate) lines.push("", "Rotate now:", `  ${plainText(rotate.command)}`, `  ${plainText(rotate.request)}`);
  lines.push("", ...links(alert).map((l) => `${plainText(l.title)}: ${l.url}`));
  return lines.join("\n");
}

function summaryText(message: Extract<AlertMessage, { kind: "summary" }>): string {
  const lines = [summaryLine(message), ""];
  for (const a of message.alerts) {
    lines.push(
      `- ${SEVERITY_WORDS[a.severity]} ${plainText(a.title)}`,
      `  ${KIND_LABELS[a.kind]} · ${plainText(objectPath(a))} · ${when(a.at)}${a.count !== undefined ? ` · ${a.count}×` : ""}`,
      `  ${plainText(a.explanation)}`,
    );
  }
  if (message.omitted) lines.push(`and ${message.omitted} more (see kvguard's logs and status)`);
  return lines.join("\n");
}

export function emailContent(message: AlertMessage, context: LinkContext = {}): EmailContent {
  const inner = message.kind === "alert" ? alertHtml(message.alert, context) : summaryHtml(message);
  const title = plainText(subject(message));
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
    `<body style="margin:0;padding:24px;background:#faf9f8">` +
    `<table role="presentation" style="border-collapse:collapse;max-width:640px;width:100%;background:#fff;border:1px solid #edebe9">${inner}` +
    `<tr><td style="padding:12px 20px;border-top:1px solid #edebe9;color:#8a8886;font-size:12px;${FONT}">Sent by kvguard. Alerts never contain secret values.</td></tr>` +
    `</table></body></html>`;
  const text = `${message.kind === "alert" ? alertText(message.alert, context) : summaryText(message)}\n\n-- \nSent by kvguard. Alerts never contain secret values.\n`;
  return { subject: title, html, text };
}
