/** @module PEM: base64 DER between `-----BEGIN label-----` and `-----END label-----` lines. */

export interface PemBlock {
  label: string;
  der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every block in the text, in order; text outside blocks (bag attributes, comments) is ignored. */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(BLOCK)].map((m) => ({ label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ""), "base64") }));
}

/** One block with 64-character lines, each ending in "\n". */
export function toPem(label: string, der: Buffer): string {
  const body = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${body.join("\n")}\n-----END ${label}-----\n`;
}

export function looksLikePem(text: string): boolean {
  return text.trimStart().startsWith("-----BEGIN ");
}
