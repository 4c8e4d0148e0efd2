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
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

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
  })
  .strict();
export type PolicyFileEntry = z.output<typeof entry>;

const file = z.object({ secrets: z.array(entry).default([]), keys: z.array(entry).default([]) }).strict();
export type PolicyFile = z.output<typeof file>;

function glob(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

export function matchEntry(entries: PolicyFileEntry[], vault: string, name: string): PolicyFileEntry | undefined {
  return entries.find((e) => glob(e.match.vault).test(vault) && glob(e.match.name).test(name));
}

/** Parses a policy document; the error names the file and the first bad field. */
export function parsePolicyFile(text: string, source: string): PolicyFile {
  let data: unknown;
  try {
    data = source.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`policy file ${source} is not valid ${source.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = file.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`policy file ${source}: ${issue.path.join(".") || "document"}: ${issue.message}`);
  }
  return parsed.data;
}

/** Reads the file from a path, or from `blob:CONTAINER/NAME` through the given blob reader. */
export async function loadPolicyFile(location: string, readBlob: (container: string, name: string) => Promise<string>): Promise<PolicyFile> {
  if (location.startsWith("blob:")) {
    const [container, ...rest] = location.slice(5).split("/");
    if (!container || rest.length === 0) throw new Error(`policy file ${location}: use blob:CONTAINER/NAME`);
    return parsePolicyFile(await readBlob(container, rest.join("/")), location);
  }
  return parsePolicyFile(await readFile(location, "utf8"), location);
}
