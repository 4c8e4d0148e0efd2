/**
 * @module Distinguished names as Key Vault's policies write them ("CN=www.contoso.com, O=Contoso"): parsed
 * into an X.501 Name and printed back. The string lists the most specific part first (RFC 4514), so the
 * encoded sequence is its reverse, as Windows and .NET encode it.
 */
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from "@peculiar/asn1-x509";

const TYPES: Record<string, string> = {
  CN: "2.5.4.3",
  SN: "2.5.4.4",
  SERIALNUMBER: "2.5.4.5",
  C: "2.5.4.6",
  L: "2.5.4.7",
  S: "2.5.4.8",
  ST: "2.5.4.8",
  STREET: "2.5.4.9",
  O: "2.5.4.10",
  OU: "2.5.4.11",
  T: "2.5.4.12",
  TITLE: "2.5.4.12",
  G: "2.5.4.42",
  GIVENNAME: "2.5.4.42",
  E: "1.2.840.113549.1.9.1",
  EMAILADDRESS: "1.2.840.113549.1.9.1",
  DC: "0.9.2342.19200300.100.1.25",
  UID: "0.9.2342.19200300.100.1.1",
};
/** The short name printed for each type. */
const SHORT: Record<string, string> = Object.fromEntries(
  ["CN", "SN", "SERIALNUMBER", "C", "L", "S", "STREET", "O", "OU", "T", "G", "E", "DC", "UID"].map((k) => [TYPES[k]!, k]),
);
/** Types X.520 and PKCS#9 give an ASCII string type; the others are UTF8String. */
const PRINTABLE = new Set([TYPES.C!, TYPES.SERIALNUMBER!]);
const IA5 = new Set([TYPES.E!, TYPES.DC!]);

export class NameError extends Error {}

/** Splits on unescaped `,` or `;`, keeping `\`-escapes and double-quoted values intact. */
function split(text: string, separators: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) {
      current += ch + text[++i]!;
    } else if (ch === '"') {
      quoted = !quoted;
      current += ch;
    } else if (!quoted && separators.includes(ch)) {
      parts.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (quoted) throw new NameError("an opening quote has no closing quote");
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  const trimmed = value.trim();
  const unquoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
  return unquoted.replace(/\\(.)/g, "$1");
}

function attribute(part: string): AttributeTypeAndValue {
  const eq = part.indexOf("=");
  if (eq <= 0) throw new NameError(`"${part.trim()}" is not TYPE=value`);
  const key = part.slice(0, eq).trim().toUpperCase();
  const type = TYPES[key] ?? (/^\d+(\.\d+)+$/.test(key) ? key : undefined);
  if (!type) throw new NameError(`unknown attribute type ${key}`);
  const text = unescape(part.slice(eq + 1));
  if (text === "") throw new NameError(`${key} has an empty value`);
  const value = PRINTABLE.has(type)
    ? new AttributeValue({ printableString: text })
    : IA5.has(type)
      ? new AttributeValue({ ia5String: text })
      : new AttributeValue({ utf8String: text });
  return new AttributeTypeAndValue({ type, value });
}

/** "CN=a, O=b" → Name; `+` joins attributes of one RDN. Throws NameError on malformed text. */
export function parseName(text: string): Name {
  if (text.trim() === "") throw new NameError("the name is empty");
  const rdns = split(text, ",;").map((rdn) => new RelativeDistinguishedName(split(rdn, "+").map(attribute)));
  return new Name(rdns.reverse());
}

function escape(value: string): string {
  return value
    .replace(/([,;+"\\<>=])/g, "\\$1")
    .replace(/^([ #])/, "\\$1")
    .replace(/ $/, "\\ ");
}

/** Name → "CN=a, O=b", most specific first. */
export function formatName(name: Name): string {
  return [...name]
    .reverse()
    .map((rdn) => [...rdn].map((atv) => `${SHORT[atv.type] ?? atv.type}=${escape(atv.value.toString())}`).join("+"))
    .join(", ");
}
