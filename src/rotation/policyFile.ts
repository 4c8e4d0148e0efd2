/**
 * @module The policy file: JSON or YAML, for what does not fit in 15 tags. Entries match secrets by vault
 * and name (`*` globs); the first match applies and the secret's own tags override it field by field.
 *
 * ```yaml
 * secrets:
 *   - match: { vault: prod-*, name: "db-*" }
 *     rotator: random
 *     rotateEvery: P30D
 *     options: { length: 40, classes: [upper, lower, digit] }
 * ```
 *
 * A file or entry that cannot be read is not fatal: the objects it could govern get a per-object policy
 * error (history, status, sweep report) and the sweep goes on.
 *
 * The file is the operator's (kvguard's own storage), so it also holds what tags may never decide: the
 * `bindings` (which hosts, storage accounts and Entra applications each rotator may reach, see bindings.ts),
 * the `managers` (which secrets may use a managing credential, and at which server), and per entry a `lock`
 * (fields a tag may not change).
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseDurationSeconds } from "../common/duration.js";
import { appServiceRuleShape, type AppServiceRule } from "./appServiceRules.js";
import { bindingsShape, managerShape, type Bindings, type ManagerEntry } from "./bindings.js";
import { globMatch } from "./glob.js";

const duration = z.string().refine(
  (text) => {
    try {
      return parseDurationSeconds(text) > 0;
    } catch {
      return false;
    }
  },
  { error: "is not a positive duration (seconds or ISO-8601, such as P7D)" },
);

const entry = z
  .object({
    match: z.object({ vault: z.string().default("*"), name: z.string().default("*") }).strict(),
    rotator: z.string().optional(),
    credentialId: z.string().optional(),
    providerAddress: z.string().optional(),
    validityPeriodDays: z.number().positive().optional(),
    rotateEvery: z.string().optional(),
    rotateBeforeExpiryDays: z.number().positive().optional(),
    gracePeriod: z.string().optional(),
    window: z.string().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    /** The audit-aware revoke of this entry's objects (KVGUARD_REVOKE_* otherwise). */
    revoke: z
      .object({ baselineWindow: duration.optional(), maxGrace: duration.optional(), atMaxGrace: z.enum(["revoke", "hold"]).optional() })
      .strict()
      .optional(),
    /** Fields a tag may not change: `*` for all, or names (`providerAddress`, `options.manager`, `options` ...). */
    lock: z.union([z.literal("*"), z.array(z.string().min(1))]).optional(),
  })
  .strict();

/** An entry as kvguard uses it; `invalid` marks one that could not be read: every object it matches gets that error. */
export type PolicyFileEntry = z.output<typeof entry> & { invalid?: string };

/** Certificates: `prepareCsr` asks for a CSR in a pending operation when an `Unknown`-issuer certificate nears expiry (src/notices). */
const certificateEntry = entry.extend({ prepareCsr: z.boolean().optional() }).strict();
export type CertificateEntry = PolicyFileEntry & { prepareCsr?: boolean };

export interface PolicyFile {
  secrets: PolicyFileEntry[];
  keys: PolicyFileEntry[];
  certificates: CertificateEntry[];
  bindings: Bindings;
  managers: ManagerEntry[];
  /** App Service and Functions apps refreshed after a rotation (appServiceRules.ts); absent: none. */
  appService?: AppServiceRule[];
  /** Set when the whole file could not be used (every object gets this error). */
  broken?: string;
}

const sections = z
  .object({
    secrets: z.array(z.unknown()).default([]),
    keys: z.array(z.unknown()).default([]),
    certificates: z.array(z.unknown()).default([]),
    bindings: bindingsShape.default({}),
    managers: z.array(managerShape).default([]),
    appService: z.array(appServiceRuleShape).default([]),
  })
  .strict();

export function matchEntry<E extends PolicyFileEntry>(entries: E[], vault: string, name: string): E | undefined {
  return entries.find((e) => globMatch(e.match.vault, vault) && globMatch(e.match.name, name));
}

/** A file that cannot be used at all: it could govern any object, so every object gets its error. */
export function brokenPolicyFile(problem: string): PolicyFile {
  const all: PolicyFileEntry = { match: { vault: "*", name: "*" }, invalid: problem };
  return { secrets: [all], keys: [all], certificates: [all], bindings: {}, managers: [], broken: problem };
}

/** No file: no entries, and no bindings (so every rotation that reaches a target is refused). */
export const EMPTY_POLICY_FILE: PolicyFile = { secrets: [], keys: [], certificates: [], bindings: {}, managers: [] };

function issueText(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0]!;
  return `${[prefix, ...issue.path].filter((p) => p !== "").join(".") || "document"}: ${issue.message}`;
}

/**
 * Parses a policy document. It never throws: a bad entry becomes an invalid entry for the objects its
 * `match` names (all objects when even that cannot be read), and a document that does not parse at all
 * becomes one invalid entry for every object, so each gets a clear error and the sweep goes on.
 */
export function parsePolicyFile(text: string, source: string): PolicyFile {
  let data: unknown;
  try {
    data = source.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    return brokenPolicyFile(`policy file ${source} is not valid ${source.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`);
  }
  const top = sections.safeParse(data ?? {});
  if (!top.success) return brokenPolicyFile(`policy file ${source}: ${issueText(top.error, "")}`);
  const entries = (items: unknown[], section: string, shape: typeof entry | typeof certificateEntry = entry): CertificateEntry[] =>
    items.map((item, i) => {
      const parsed = shape.safeParse(item);
      if (parsed.success) return parsed.data;
      const match = entry.shape.match.safeParse(typeof item === "object" && item !== null ? (item as { match?: unknown }).match : undefined);
      return {
        match: match.success ? match.data : { vault: "*", name: "*" },
        invalid: `policy file ${source}: ${issueText(parsed.error, `${section}[${i}]`)}`,
      };
    });
  return {
    secrets: entries(top.data.secrets, "secrets"),
    keys: entries(top.data.keys, "keys"),
    certificates: entries(top.data.certificates, "certificates", certificateEntry),
    bindings: top.data.bindings,
    managers: top.data.managers,
    appService: top.data.appService,
  };
}

/** Reads the file from a path, or from `blob:CONTAINER/NAME` through the given blob reader (read errors throw: they may pass). */
export async function loadPolicyFile(location: string, readBlob: (container: string, name: string) => Promise<string>): Promise<PolicyFile> {
  if (location.startsWith("blob:")) {
    const [container, ...rest] = location.slice(5).split("/");
    if (!container || rest.length === 0) throw new Error(`policy file ${location}: use blob:CONTAINER/NAME`);
    return parsePolicyFile(await readBlob(container, rest.join("/")), location);
  }
  return parsePolicyFile(await readFile(location, "utf8"), location);
}
