/**
 * @module IP addresses and CIDR ranges (IPv4 and IPv6) for threat-intel lists, allowed networks and
 * per-principal source networks. Addresses are compared as bigints; a bad entry is an error that names it.
 */
import { isIP } from "node:net";

export interface Cidr {
  text: string;
  v6: boolean;
  base: bigint;
  bits: number;
}

function v4(ip: string): bigint {
  return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6(ip: string): bigint {
  let text = ip;
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail) {
    const n = v4(v4Tail[1]!);
    text = text.slice(0, -v4Tail[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
}

/** An address as a number, or undefined when it is not one (`<Redacted>`, empty). */
export function ipValue(ip: string): { v6: boolean; value: bigint } | undefined {
  const clean = ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const kind = isIP(clean);
  if (kind === 4) return { v6: false, value: v4(clean) };
  if (kind === 6) return { v6: true, value: v6(clean) };
  return undefined;
}

/** Parses `203.0.113.0/24`, `2001:db8::/32` or a single address. */
export function parseCidr(text: string): Cidr {
  const [ip = "", bitsText] = text.trim().split("/");
  const value = ipValue(ip);
  if (!value) throw new Error(`"${text}" is not an IP address or CIDR range (such as 203.0.113.0/24)`);
  const max = value.v6 ? 128 : 32;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max || bitsText === "") throw new Error(`"${text}" has a bad prefix length (0-${max})`);
  const shift = BigInt(max - bits);
  return { text: text.trim(), v6: value.v6, base: (value.value >> shift) << shift, bits };
}

export function inCidr(ip: { v6: boolean; value: bigint }, cidr: Cidr): boolean {
  if (ip.v6 !== cidr.v6) return false;
  const shift = BigInt((cidr.v6 ? 128 : 32) - cidr.bits);
  return (ip.value >> shift) << shift === cidr.base;
}

/** The first range holding `ip`, if any. */
export function matchCidr(ip: string, list: readonly Cidr[]): Cidr | undefined {
  if (list.length === 0) return undefined;
  const value = ipValue(ip);
  return value ? list.find((c) => inCidr(value, c)) : undefined;
}

const networks = new Map<string, string | undefined>();

/** The /24 (IPv4) or /48 (IPv6) a caller's address is in: the unit "a new network" is judged by. */
export function networkOf(ip: string): string | undefined {
  // Callers reuse a few addresses: each is parsed once (the map is cleared if odd input floods it).
  let network = networks.get(ip);
  if (network !== undefined || networks.has(ip)) return network;
  const value = ipValue(ip);
  if (!value) network = undefined;
  else if (!value.v6)
    network = `${ip
      .slice(ip.indexOf(".") === -1 ? 0 : ip.lastIndexOf(":") + 1)
      .split(".")
      .slice(0, 3)
      .join(".")}.0/24`;
  else network = `${[2n, 1n, 0n].map((i) => ((value.value >> (80n + 16n * i)) & 0xffffn).toString(16)).join(":")}::/48`;
  if (networks.size > 100_000) networks.clear();
  networks.set(ip, network);
  return network;
}

/**
 * Reads a list of ranges: one IP or CIDR per line (or comma-separated), `#` starts a comment.
 * @throws an Error naming each bad line
 */
export function parseCidrList(text: string, source = "list"): Cidr[] {
  const list: Cidr[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    for (const item of raw.replace(/#.*/, "").split(",")) {
      if (!item.trim()) continue;
      try {
        list.push(parseCidr(item));
      } catch (error) {
        errors.push(`${source}:${i + 1}: ${(error as Error).message}`);
      }
    }
  });
  if (errors.length > 0) throw new Error(errors.join("\n"));
  return list;
}
