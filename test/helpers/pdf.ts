/**
 * @module Reads a PDF the way a person's viewer would, in JavaScript (PDF.js, Node build): its page count and
 * the text of each page, lines as the viewer breaks them. The report tests use it instead of a system PDF
 * tool, so `npm test` needs nothing but Node.
 */
import { readFile } from "node:fs/promises";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

export interface PdfContent {
  pages: number;
  /** Each page's text, one line per line the PDF draws. */
  pageTexts: string[];
  /** Every page's text, pages separated by a form feed. */
  text: string;
}

/** Parses a PDF given as bytes or as a file path; rejects when it is not a readable PDF. */
export async function readPdf(source: Uint8Array | string): Promise<PdfContent> {
  const bytes = typeof source === "string" ? await readFile(source) : source;
  // PDF.js takes ownership of the buffer it is given: hand it a copy.
  const pdf = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const pageTexts: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      let text = "";
      for (const item of content.items) {
        if (!("str" in item)) continue;
        text += item.str + (item.hasEOL ? "\n" : "");
      }
      pageTexts.push(text);
    }
    return { pages: pdf.numPages, pageTexts, text: pageTexts.join("\f") };
  } finally {
    await pdf.destroy();
  }
}
