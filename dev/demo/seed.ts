/**
 * @module The demo vault `npm start` seeds: one object per part of the rotation story (an event-driven
 * rotation, a scheduled one, a key, an invalid policy, an unmanaged secret). Seeding is idempotent: an
 * object that exists is left as it is. Values are random and never printed.
 */
import { randomBytes } from "node:crypto";
import type { LocalKeyVault } from "../../emulator/index.js";
import { DevTokenCredential } from "../../src/azure/devCredential.js";
import { createVaultClients } from "../../src/azure/keyVaultClients.js";
import { statusOf } from "../../src/common/errors.js";

const DAY_MS = 86_400_000;

/** The person who set the vault up; an older demo's role assignments make them Administrator. */
const OPERATOR = { name: "platform-engineer", upn: "platform-engineer@kvguard.local" };

export interface DemoObject {
  kind: "secret" | "key";
  name: string;
  tags: Record<string, string>;
  /** Set `exp` this many days after now (the vault's clock) when seeding. */
  expiresInDays?: number;
  /** What it shows. */
  story: string;
}

export const DEMO_OBJECTS: readonly DemoObject[] = [
  {
    kind: "secret",
    name: "payments-db-password",
    tags: { "kvguard-rotator": "random", ValidityPeriodDays: "90" },
    expiresInDays: 20,
    story: "expires within 30 days: Key Vault raises SecretNearExpiry → onVaultEvent → queue → rotationWorker",
  },
  {
    kind: "secret",
    name: "api-token",
    tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "P30D", "kvguard-options": "length=40;classes=upper,lower,digit" },
    story: "rotates every 30 days: the rotationSweep timer finds it due and queues it",
  },
  {
    kind: "key",
    name: "orders-signing-key",
    tags: { "kvguard-rotator": "keyvault-key", "kvguard-rotate-every": "P90D" },
    story: "a key: kvguard sets Key Vault's native rotation policy (every 90 days) and rotates it when overdue",
  },
  {
    kind: "secret",
    name: "legacy-db-password",
    tags: { "kvguard-rotator": "random", "kvguard-rotate-every": "monthly" },
    story: "an invalid policy (kvguard-rotate-every: monthly): an error for this secret alone; the sweep goes on",
  },
  {
    kind: "secret",
    name: "third-party-api-key",
    tags: {},
    story: "no rotation policy: kvguard leaves it alone and lists it",
  },
];

/** What seeding did with an object: made it, found it as the demo makes it, or found it otherwise. */
export type SeedOutcome = "seeded" | "kept" | "differs" | "deleted";

async function tagsOf(read: () => Promise<{ properties: { tags?: Record<string, string> } }>): Promise<Record<string, string> | undefined> {
  try {
    return (await read()).properties.tags ?? {};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    // A disabled latest version answers 403: the object exists, its tags unread.
    if (statusOf(error) === 403) return {};
    throw error;
  }
}

/** Creates each demo object that does not exist yet; reports, per name, what it found or did. */
export async function seedDemoVault(kv: LocalKeyVault, vaultUrl: string): Promise<Map<string, SeedOutcome>> {
  const { secrets, keys } = createVaultClients({ vaultUrl, credential: new DevTokenCredential(OPERATOR), ca: kv.tls.caPem });
  const outcomes = new Map<string, SeedOutcome>();
  for (const object of DEMO_OBJECTS) {
    const isKey = object.kind === "key";
    const tags = await tagsOf(() => (isKey ? keys.getKey(object.name) : secrets.getSecret(object.name)));
    if (tags) {
      // An older demo (or a person) may have left it with another policy: say so rather than change it.
      const same = Object.entries(object.tags).every(([name, value]) => tags[name] === value);
      outcomes.set(object.name, same ? "kept" : "differs");
      continue;
    }
    const expiresOn = object.expiresInDays === undefined ? undefined : new Date(kv.clock.nowMs() + object.expiresInDays * DAY_MS);
    const options = { tags: object.tags, ...(expiresOn ? { expiresOn } : {}) };
    try {
      if (isKey) await keys.createRsaKey(object.name, { keySize: 2048, ...options });
      else await secrets.setSecret(object.name, randomBytes(24).toString("base64url"), { contentType: "text/plain", ...options });
      outcomes.set(object.name, "seeded");
    } catch (error) {
      // 409: deleted by hand and kept in soft delete; the demo does without it rather than purge it.
      if (statusOf(error) !== 409) throw error;
      outcomes.set(object.name, "deleted");
    }
  }
  return outcomes;
}
