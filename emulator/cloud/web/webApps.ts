/**
 * @module The local App Service: sites whose running app reads its app settings, Key Vault references
 * resolved from the local Key Vault into a per-site cache. As App Service documents, the cache is filled
 * when the app starts and whenever its configuration changes, and is cleared only by the Key Vault reference
 * refresh or by its expiry (24 h by default, on the vault's clock: `POST /management/clock/advance` moves it).
 */
import type { LocalKeyVault } from "../../localKeyVault.js";
import { CloudError } from "../host.js";
import { parseSetting } from "./reference.js";
import { ReferenceResolver } from "./resolver.js";
import { DEFAULT_CACHE_HOURS, seededGuid, siteId, SiteStore, type ResolvedReference, type Site } from "./site.js";

/** How often (ms of real time) expired caches are looked for; the clock's moves look at once. */
const SCAN_INTERVAL_MS = 1000;

export type NewSite = Partial<Omit<Site, "name" | "references" | "lastModifiedMs">> & { name: string };

/** App Service's rule for site names: 2-60 letters, digits and hyphens, not starting or ending with a hyphen. */
const SITE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])?$/;

export class LocalWebApps {
  readonly store: SiteStore;
  readonly #resolver: ReferenceResolver;
  /** Per site, the resolution under way: resolutions of one site run one after the other. */
  readonly #busy = new Map<string, Promise<void>>();
  /** Sites with an expiry refresh queued. */
  readonly #expiring = new Set<string>();
  readonly #timer: NodeJS.Timeout;
  readonly #onClock = () => {
    this.refreshExpired().catch((error: unknown) => console.error("local cloud: refreshing expired Key Vault references failed", error));
  };

  constructor(readonly kv: LocalKeyVault) {
    this.store = new SiteStore(kv.options.stateDir);
    this.#resolver = new ReferenceResolver(kv);
    kv.clock.on("advanced", this.#onClock);
    this.#timer = setInterval(this.#onClock, SCAN_INTERVAL_MS).unref();
  }

  /** Creates a site (its app starts: every reference is resolved); 409 when the name is taken. */
  async create(input: NewSite): Promise<Site> {
    if (!SITE_NAME.test(input.name)) {
      throw new CloudError(
        400,
        "BadRequest",
        `Site name '${input.name}' is invalid: use 2-60 letters, digits and hyphens, not starting or ending with a hyphen.`,
      );
    }
    if (this.store.get(input.name)) throw new CloudError(409, "Conflict", `Website with given name ${input.name} already exists.`);
    const site: Site = {
      kind: "app",
      location: "local",
      tags: {},
      identityType: "SystemAssigned",
      principalId: seededGuid(`mi:${siteId(input.name)}`),
      userAssignedIdentities: {},
      keyVaultReferenceIdentity: "SystemAssigned",
      appSettings: {},
      cacheHours: DEFAULT_CACHE_HOURS,
      ...input,
      references: {},
      lastModifiedMs: this.kv.clock.nowMs(),
    };
    this.store.put(site);
    await this.#resolveAll(site);
    return site;
  }

  /** Changes a site's properties; a configuration change restarts the app, which resolves every reference again. */
  async update(site: Site, changes: Partial<Omit<Site, "name" | "references">>): Promise<void> {
    Object.assign(site, changes, { lastModifiedMs: this.kv.clock.nowMs() });
    this.store.save();
    await this.#resolveAll(site);
  }

  /** The Key Vault reference refresh: every reference of the site fetched again now. */
  refresh(site: Site): Promise<void> {
    return this.#resolveAll(site);
  }

  delete(name: string): boolean {
    return this.store.delete(name);
  }

  /** Fetches again the references whose cache has expired on the vault's clock. */
  async refreshExpired(): Promise<void> {
    await Promise.all(this.store.list().map((site) => this.#refreshExpiredOf(site)));
  }

  /** The site once its expired references are fetched again and no resolution is under way: what its app reads now. */
  async settled(site: Site): Promise<Site> {
    await this.#refreshExpiredOf(site);
    await this.#busy.get(site.name.toLowerCase());
    return site;
  }

  /** When a resolved reference's cache runs out (ms, vault clock). */
  expiresAtMs(site: Site, reference: ResolvedReference): number {
    return reference.resolvedAtMs + site.cacheHours * 3_600_000;
  }

  #expiredKeys(site: Site): string[] {
    const nowMs = this.kv.clock.nowMs();
    return Object.keys(site.references).filter((key) => nowMs >= this.expiresAtMs(site, site.references[key]!));
  }

  /** One expiry refresh queued per site at a time; it fetches what is still expired when it runs. */
  #refreshExpiredOf(site: Site): Promise<void> {
    const key = site.name.toLowerCase();
    if (this.#expiring.has(key)) return this.#busy.get(key) ?? Promise.resolve();
    if (this.#expiredKeys(site).length === 0) return Promise.resolve();
    this.#expiring.add(key);
    return this.#serially(site, async () => {
      this.#expiring.delete(key);
      const expired = this.#expiredKeys(site);
      if (expired.length) await this.#resolveKeys(site, expired);
    });
  }

  /** Waits for resolutions under way, stops the expiry scan. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.kv.clock.off("advanced", this.#onClock);
    await Promise.allSettled([...this.#busy.values()]);
  }

  #resolveAll(site: Site): Promise<void> {
    return this.#serially(site, async () => {
      const keys = Object.entries(site.appSettings)
        .filter(([, value]) => parseSetting(value).kind !== "plain")
        .map(([key]) => key);
      for (const key of Object.keys(site.references)) if (!keys.includes(key)) delete site.references[key];
      await this.#resolveKeys(site, keys);
    });
  }

  async #resolveKeys(site: Site, keys: string[]): Promise<void> {
    const results = await Promise.all(keys.map(async (key) => [key, await this.#resolver.resolve(site, site.appSettings[key]!)] as const));
    // The site may have been deleted or re-created meanwhile: only its current object keeps the results.
    if (this.store.get(site.name) !== site) return;
    for (const [key, result] of results) site.references[key] = result;
    this.store.save();
  }

  #serially(site: Site, work: () => Promise<void>): Promise<void> {
    const key = site.name.toLowerCase();
    const next = (this.#busy.get(key) ?? Promise.resolve()).then(work);
    // The chain carries on after a failure; the caller of `work` sees it.
    const tracked: Promise<void> = next
      .catch(() => undefined)
      .finally(() => {
        if (this.#busy.get(key) === tracked) this.#busy.delete(key);
      });
    this.#busy.set(key, tracked);
    return next;
  }
}
