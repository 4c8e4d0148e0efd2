/**
 * @module Suppression rules from config: a finding is dropped when a rule matches every field it sets
 * (detector id, principal oid/appid/upn, IP or CIDR, object `vault/name` with `*` wildcards). Each rule
 * carries a reason, so a suppressed alert is explained, not forgotten.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Finding } from "./finding.js";
import { inCidr, ipValue, parseCidr, type Cidr } from "../common/network.js";

export const suppressionRule = z
  .object({
    detector: z.string().min(1).optional(),
    principal: z.string().min(1).optional(),
    ip: z.string().min(1).optional(),
    object: z.string().min(1).optional(),
    reason: z.string({ error: "every suppression needs a reason" }).min(1, "every suppression needs a reason"),
  })
  .strict()
  .refine((r) => r.detector ?? r.principal ?? r.ip ?? r.object, { message: "a suppression must set detector, principal, ip or object" });
export type SuppressionRule = z.infer<typeof suppressionRule>;

export const suppressionFile = z.object({ suppressions: z.array(suppressionRule) }).strict();

interface CompiledRule {
  rule: SuppressionRule;
  cidr?: Cidr;
  object?: RegExp;
}

export class Suppressions {
  readonly #rules: CompiledRule[];
  /** How many findings each rule dropped, by index. */
  readonly dropped: number[];

  constructor(rules: readonly SuppressionRule[] = []) {
    this.#rules = rules.map((rule) => ({
      rule,
      ...(rule.ip ? { cidr: parseCidr(rule.ip) } : {}),
      ...(rule.object ? { object: new RegExp(`^${rule.object.toLowerCase().split("*").map(escape).join(".*")}$`) } : {}),
    }));
    this.dropped = rules.map(() => 0);
  }

  /** The rule that suppresses this finding, if any. */
  match(finding: Finding): SuppressionRule | undefined {
    const index = this.#rules.findIndex(({ rule, cidr, object }) => {
      if (rule.detector && rule.detector !== finding.detector) return false;
      if (rule.principal) {
        const p = rule.principal.toLowerCase();
        const { oid, appid, upn } = finding.principal;
        if (![oid, appid, upn].some((v) => v?.toLowerCase() === p)) return false;
      }
      if (cidr) {
        const ip = ipValue(finding.ip);
        if (!ip || !inCidr(ip, cidr)) return false;
      }
      if (object) {
        const name = finding.object ? finding.object.replace(/\/(secrets|keys|certificates|storage)\//, "/") : undefined;
        if (!name || (!object.test(name) && !object.test(finding.object!))) return false;
      }
      return true;
    });
    if (index < 0) return undefined;
    this.dropped[index]!++;
    return this.#rules[index]!.rule;
  }

  get size(): number {
    return this.#rules.length;
  }
}

function escape(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Reads a suppressions file (YAML or JSON): `suppressions: [{detector, principal, ip, object, reason}]`.
 * @throws an Error naming the file and each bad rule
 */
export async function loadSuppressions(path: string): Promise<Suppressions> {
  const text = await readFile(path, "utf8");
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new Error(`${path} is not YAML or JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = suppressionFile.safeParse(value);
  if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}`);
  try {
    return new Suppressions(parsed.data.suppressions);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`, { cause: error });
  }
}
