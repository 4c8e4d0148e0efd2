/**
 * What a card's reader sees: the card parsed by the `adaptivecards` package (its plain-Node bundle), then each
 * text Teams reads as markdown (TextBlock text, Fact title and value) through the package's own markdown step,
 * `AdaptiveCard.applyMarkdown`, with markdown-it as the processor (the package's documented pairing).
 */
import { createRequire } from "node:module";
import MarkdownIt from "markdown-it";

interface MarkdownResult {
  didProcess: boolean;
  outputHtml?: unknown;
}
interface AdaptiveCardsModule {
  AdaptiveCard: {
    new (): { parse(json: unknown, context?: unknown): void; toJSON(): unknown };
    onProcessMarkdown?: (text: string, result: MarkdownResult) => void;
    applyMarkdown(text: string): MarkdownResult;
  };
}

const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js") as AdaptiveCardsModule;
const markdown = new MarkdownIt();
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};

/** Every markdown text of a card as the package holds it after parsing: TextBlocks and facts, in order. */
export function cardTexts(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card);
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    const element = node as Record<string, unknown>;
    if (element.type === "TextBlock" && typeof element.text === "string") texts.push(element.text);
    if (element.type === "FactSet" && Array.isArray(element.facts)) {
      for (const fact of element.facts as { title?: string; value?: string }[]) texts.push(fact.title ?? "", fact.value ?? "");
    }
    Object.values(element).forEach(walk);
  };
  walk(parsed.toJSON());
  return texts;
}

/** The HTML the package makes of one text. */
export function markdownHtml(text: string): string {
  const result = AC.AdaptiveCard.applyMarkdown(text);
  return result.didProcess ? String(result.outputHtml) : text;
}

/** The text a reader sees in that HTML: tags dropped, entities decoded, whitespace as one space. */
export function shownText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}
