/**
 * @module The Teams message: an Adaptive Card 1.5 in the payload a Workflows (Power Automate) webhook takes,
 * `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":card}]}`.
 * Severity shows as a coloured band with the word; then what happened, the facts, the explanation, how to
 * rotate now (failed rotations) and links. Every text and fact goes through `markdownText`: an alert quotes
 * tags and errors, and kvguard's own styling is the card's properties, never markdown.
 */
import { KIND_LABELS, objectPath, type Alert } from "../alert.js";
import { links, rotateNow, type LinkContext } from "../links.js";
import type { AlertMessage } from "../message.js";
import { CARD_COLOURS, facts, SEVERITY_WORDS, summaryCounts, summaryTitle, when } from "./format.js";
import { markdownText } from "./markdown.js";

export const CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

type Element = Record<string, unknown>;

/** Characters of summary rows a card carries, well under Teams' message size limit with the rest of the card. */
const ROWS_BUDGET = 20_000;

export interface TeamsPayload {
  type: "message";
  attachments: { contentType: typeof CARD_CONTENT_TYPE; contentUrl: null; content: Element }[];
}

/** A TextBlock showing `value` as written (Teams would read it as markdown). */
function text(value: string, options: Element = {}): Element {
  return { type: "TextBlock", text: markdownText(value), wrap: true, ...options };
}

function band(severity: Alert["severity"], label: string, title: string, subtitle?: string): Element {
  const { color, style } = CARD_COLOURS[severity];
  return {
    type: "Container",
    style,
    bleed: true,
    items: [
      text(`${SEVERITY_WORDS[severity]} · ${label}`, { weight: "Bolder", color, size: "Small", spacing: "None" }),
      text(title, { weight: "Bolder", size: "Large", spacing: "Small" }),
      ...(subtitle ? [text(subtitle, { spacing: "None", isSubtle: true })] : []),
    ],
  };
}

function alertBody(alert: Alert, context: LinkContext): Element[] {
  const body: Element[] = [
    band(alert.severity, KIND_LABELS[alert.kind], alert.title),
    { type: "FactSet", facts: facts(alert).map((f) => ({ title: markdownText(f.title), value: markdownText(f.value) })), spacing: "Medium" },
    text(alert.explanation, { spacing: "Medium" }),
  ];
  const rotate = rotateNow(alert, context);
  if (rotate) {
    body.push(
      text("Rotate now", { weight: "Bolder", spacing: "Medium" }),
      text(rotate.command, { fontType: "Monospace", spacing: "Small" }),
      text(rotate.request, { fontType: "Monospace", spacing: "None" }),
    );
  }
  return body;
}

function summaryBody(message: Extract<AlertMessage, { kind: "summary" }>): Element[] {
  const rows = message.alerts.map((alert) => ({
    type: "ColumnSet",
    separator: true,
    spacing: "Small",
    columns: [
      {
        type: "Column",
        width: "70px",
        items: [text(SEVERITY_WORDS[alert.severity], { weight: "Bolder", color: CARD_COLOURS[alert.severity].color, size: "Small" })],
      },
      {
        type: "Column",
        width: "stretch",
        items: [
          text(alert.title, { weight: "Bolder", size: "Small" }),
          text(`${KIND_LABELS[alert.kind]} · ${objectPath(alert)} · ${when(alert.at)}${alert.count !== undefined ? ` · ${alert.count}×` : ""}`, {
            isSubtle: true,
            size: "Small",
            spacing: "None",
          }),
        ],
      },
    ],
  }));
  // Teams refuses messages over about 28 KB: rows stop at a budget, the rest are counted.
  const shown: Element[] = [];
  let size = 0;
  for (const row of rows) {
    size += JSON.stringify(row).length;
    if (size > ROWS_BUDGET) break;
    shown.push(row);
  }
  const omitted = message.omitted + rows.length - shown.length;
  const more = omitted ? [text(`and ${omitted} more (see kvguard's logs and status)`, { isSubtle: true, size: "Small" })] : [];
  return [band(message.severity, "kvguard summary", summaryTitle(message), summaryCounts(message)), ...shown, ...more];
}

/** The Adaptive Card alone (what the preview renders and the tests validate). */
export function adaptiveCard(message: AlertMessage, context: LinkContext = {}): Element {
  const body = message.kind === "alert" ? alertBody(message.alert, context) : summaryBody(message);
  const actions = message.kind === "alert" ? links(message.alert).map((link) => ({ type: "Action.OpenUrl", title: link.title, url: link.url })) : [];
  return {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: "1.5",
    // Teams draws cards narrow unless told otherwise; alerts read better full width.
    msteams: { width: "Full" },
    body,
    ...(actions.length ? { actions } : {}),
  };
}

export function teamsPayload(message: AlertMessage, context: LinkContext = {}): TeamsPayload {
  return { type: "message", attachments: [{ contentType: CARD_CONTENT_TYPE, contentUrl: null, content: adaptiveCard(message, context) }] };
}
