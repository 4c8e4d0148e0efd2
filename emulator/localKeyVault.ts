/**
 * @module The local Key Vault: vaults served over HTTPS on loopback, one port each, sharing one clock,
 * event bus, audit writer, throttle and state folder.
 */
import { mkdtempSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { faultRoutes } from "./admin/faultRoutes.js";
import { adminRoutes, type AdminRoute } from "./admin/routes.js";
import { applySubscriptionOptions, subscriptionRoutes } from "./admin/subscriptionRoutes.js";
import { buildAuditRecord, type AuditInput } from "./audit/record.js";
import { AuditWriter } from "./audit/writer.js";
import type { RoleAssignment, RoleName } from "./auth/rbac.js";
import { Clock } from "./clock.js";
import { BackupSealer } from "./common/backup.js";
import { accessPolicyChangedEvent, EventBus, type KeyVaultEvent } from "./events/bus.js";
import { EventDelivery, type SubscriptionInput } from "./events/delivery.js";
import { scanExpiry } from "./events/expiry.js";
import { Faults } from "./faults.js";
import { handleDataPlane } from "./http/dataPlane.js";
import { KvError } from "./http/errors.js";
import { parseJson, readBody, sendJson } from "./http/io.js";
import type { Route } from "./http/route.js";
import { Router } from "./http/router.js";
import { certificateRoutes } from "./certificates/routes.js";
import { keyRoutes } from "./keys/routes.js";
import { secretRoutes } from "./secrets/routes.js";
import { settleVault } from "./settle.js";
import { readState, writeState, type EmulatorState, type VaultState } from "./state/snapshot.js";
import { Throttle } from "./throttle.js";
import { loadOrCreateTlsMaterial, type TlsMaterial } from "./tls.js";
import { Vault, type VaultSettings } from "./vault.js";
import type { LocalSubscription } from "./cloud/subscriptions.js";

export const LOCAL_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000";
export const LOCAL_TENANT_ID = "00000000-0000-0000-0000-000000000000";
export const LOCAL_RESOURCE_GROUP = "kvguard-local";

export interface EmulatorOptions {
  /** Port of the first vault; the others take the next ones. 0 (default) lets the system pick each. */
  port?: number;
  /** Folder that keeps vaults, TLS material, audit logs and dead letters across restarts. */
  stateDir?: string;
  /** Vault names, or settings; default one vault named "local". */
  vaults?: (string | (Partial<VaultSettings> & { name: string }))[];
  /** Where to write the CA certificate (PEM). */
  caOut?: string;
  /** Start the clock this many seconds ahead of real time. */
  clockOffsetSeconds?: number;
  /** Key Vault's throttling limits; an object overrides some buckets' limits. */
  throttle?: boolean | Record<string, number>;
  /** Audit log root (the storage container); default `<stateDir>/audit`, else a temporary folder. */
  auditDir?: string;
  /** How often (ms of real time) near-expiry and purge dates are checked; the clock's moves check at once. */
  scanIntervalMs?: number;
  /** Event subscriptions created (or updated) at start, each with its validation handshake. */
  subscriptions?: SubscriptionInput[];
  /** Azure subscriptions the local cloud lists (`GET /subscriptions`) beside those the vaults are in. */
  azureSubscriptions?: LocalSubscription[];
  /**
   * How long Key Vault's long-running operations take here, in seconds of the vault's clock: a soft delete
   * and a recover (the object reads as absent meanwhile) and a self-signed certificate's issuance. Default
   * DEFAULT_LRO_SECONDS, as in Azure where pollers see them under way; 0 completes them at once.
   */
  lroSeconds?: number;
}

/** A few seconds, as Key Vault takes: the SDK's pollers (2 s interval by default) see the operation under way. */
export const DEFAULT_LRO_SECONDS = 2;

// Saving rewrites the whole state file: coalesce a burst of changes into one write (close() flushes).
const SAVE_DELAY_MS = 500;

export class LocalKeyVault {
  readonly clock: Clock;
  readonly events = new EventBus();
  readonly vaults = new Map<string, Vault>();
  readonly audit: AuditWriter;
  readonly delivery: EventDelivery;
  /** Injected failures for tests (`/management/faults`). */
  readonly faults = new Faults();
  /** How long deletes, recovers and self-signed issuance take (ms of the vault's clock). */
  readonly lroMs: number;
  readonly #router = new Router<Route>([...secretRoutes, ...keyRoutes, ...certificateRoutes]);
  readonly #adminRouter = new Router<AdminRoute>([...adminRoutes, ...subscriptionRoutes, ...faultRoutes]);
  readonly #servers: Server[] = [];
  readonly #throttle?: Throttle;
  #backups = new BackupSealer();
  #saveTimer?: NodeJS.Timeout;
  #saving: Promise<void> = Promise.resolve();
  #scanTimer?: NodeJS.Timeout;
  /** Saved vaults not served this run: kept so the next save does not drop them. */
  #dormant: VaultState[] = [];

  private constructor(
    readonly options: EmulatorOptions,
    readonly tls: TlsMaterial,
    readonly caFile: string,
    readonly workDir: string,
  ) {
    this.clock = new Clock(options.clockOffsetSeconds ?? 0);
    const lroSeconds = options.lroSeconds ?? DEFAULT_LRO_SECONDS;
    if (!Number.isFinite(lroSeconds) || lroSeconds < 0) throw new RangeError(`lroSeconds must be 0 or more, got ${lroSeconds}`);
    this.lroMs = lroSeconds * 1000;
    this.audit = new AuditWriter(options.auditDir ?? join(workDir, "audit"));
    this.delivery = new EventDelivery(this.events, {
      deadLetterDir: join(workDir, "deadletter"),
      ca: tls.caPem,
      now: () => this.clock.nowMs(),
    });
    if (options.throttle) this.#throttle = new Throttle(options.throttle === true ? {} : options.throttle);
    const specs = options.vaults?.length ? options.vaults : ["local"];
    for (const spec of specs) {
      const settings = typeof spec === "string" ? { name: spec } : spec;
      const vault = new Vault({
        subscriptionId: LOCAL_SUBSCRIPTION_ID,
        resourceGroup: LOCAL_RESOURCE_GROUP,
        tenantId: LOCAL_TENANT_ID,
        softDeleteRetentionDays: 90,
        purgeProtection: false,
        ...settings,
      });
      if (this.vaults.has(vault.name.toLowerCase())) throw new Error(`vault ${vault.name} is listed twice`);
      this.vaults.set(vault.name.toLowerCase(), vault);
    }
  }

  static async start(options: EmulatorOptions = {}): Promise<LocalKeyVault> {
    const workDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "kvguard-emulator-"));
    const tls = await loadOrCreateTlsMaterial(options.stateDir);
    const caFile = options.caOut ?? join(workDir, "ca.pem");
    await writeFile(caFile, tls.caPem);
    const kv = new LocalKeyVault(options, tls, caFile, workDir);
    if (options.stateDir) await kv.#restore(await readState(options.stateDir));
    await kv.#listen();
    if (options.subscriptions?.length) await applySubscriptionOptions(kv, options.subscriptions);
    kv.events.on("event", (event) => kv.#auditNotification(event));
    kv.clock.on("advanced", () => kv.#scan());
    kv.#scanTimer = setInterval(() => kv.#scan(), options.scanIntervalMs ?? 1000).unref();
    kv.#scan();
    return kv;
  }

  /** Name → URL of every vault served. */
  get urls(): Record<string, string> {
    return Object.fromEntries([...this.vaults.values()].map((v) => [v.name, v.url]));
  }

  setRoleAssignments(vault: Vault, assignments: RoleAssignment[]): void {
    vault.roleAssignments = assignments;
    this.events.publish(accessPolicyChangedEvent(vault, this.clock.nowMs()));
    this.changed();
  }

  /** Marks state dirty; it is written shortly after, coalescing bursts of changes. */
  changed(): void {
    if (!this.options.stateDir || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#saving = this.#saving.then(() => this.#save());
    }, SAVE_DELAY_MS);
  }

  async close(): Promise<void> {
    clearInterval(this.#scanTimer);
    await Promise.all(
      this.#servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    if (this.#saveTimer) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = undefined;
      this.#saving = this.#saving.then(() => this.#save());
    }
    await this.#saving;
    await this.delivery.close();
    await this.audit.close();
  }

  #scan(): void {
    const nowMs = this.clock.nowMs();
    let changed = false;
    for (const vault of this.vaults.values()) changed = settleVault(vault, this.events, nowMs) || changed;
    changed = scanExpiry(this.vaults.values(), this.events, nowMs) || changed;
    for (const vault of this.vaults.values()) changed = vault.purgeDue(Math.floor(nowMs / 1000)) || changed;
    if (changed) this.changed();
  }

  /** Key Vault logs the notifications it raises for expiry and access-policy changes as operations. */
  #auditNotification(event: KeyVaultEvent): void {
    const kind = event.eventType.replace("Microsoft.KeyVault.", "");
    const vault = this.vaults.get(event.data.VaultName.toLowerCase());
    if (!vault || kind.endsWith("NewVersionCreated")) return;
    this.#writeAudit({
      timeMs: Date.parse(event.eventTime),
      resourceId: vault.resourceId,
      operationName: `${kind}EventGridNotification`,
      apiVersion: "",
      status: 200,
      durationMs: 0,
      callerIp: "",
      correlationId: event.id,
      objectId: event.data.Id,
      requestUri: "",
      clientInfo: "",
    });
  }

  /** Writes an AuditEvent record for a request served elsewhere (the local cloud's VaultGet/VaultPut/VaultPatch). */
  auditManagement(input: AuditInput): void {
    this.#writeAudit(input);
  }

  #writeAudit(input: AuditInput): void {
    this.audit.write(buildAuditRecord(input));
  }

  async #listen(): Promise<void> {
    let port = this.options.port ?? 0;
    for (const vault of this.vaults.values()) {
      const server = createServer({ cert: this.tls.certPem, key: this.tls.keyPem, keepAliveTimeout: 30_000 }, (req, res) => {
        const url = new URL(req.url ?? "/", vault.url || "https://127.0.0.1");
        const handled = url.pathname.startsWith("/management/")
          ? this.#handleAdmin(req, res, url)
          : handleDataPlane(vault, req, res, url, {
              router: this.#router,
              events: this.events,
              backups: this.#backups,
              throttle: this.#throttle,
              faults: this.faults,
              nowMs: () => this.clock.nowMs(),
              lroMs: this.lroMs,
              audit: (input) => this.#writeAudit(input),
              changed: () => this.changed(),
            });
        handled.catch((error: unknown) => {
          console.error("local Key Vault: request failed", error);
          if (!res.headersSent) sendJson(res, 500, { error: { code: "InternalServerError", message: "internal error" } });
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => resolve());
      });
      this.#servers.push(server);
      const actual = (server.address() as AddressInfo).port;
      vault.url = `https://127.0.0.1:${actual}`;
      if (port !== 0) port = actual + 1;
    }
  }

  async #handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const { route, params } = this.#adminRouter.match(req.method ?? "GET", url.pathname);
      const result = await route.handle({ kv: this, params, body: parseJson(await readBody(req)) });
      sendJson(res, result.status ?? 200, result.body);
    } catch (error) {
      const kvError = error instanceof KvError ? error : new KvError(400, "BadRequest", (error as Error).message);
      sendJson(res, kvError.status, kvError.toBody());
    }
  }

  #snapshot(): EmulatorState {
    return {
      format: 1,
      clockOffsetSeconds: this.clock.offsetSeconds,
      backupKey: this.#backups.key.toString("base64"),
      vaults: [...this.vaults.values()]
        .map((v): VaultState => ({
          settings: v.settings,
          secrets: v.secrets.snapshot(),
          keys: v.keys.snapshot(),
          keyRotationPolicies: Object.fromEntries(v.keyRotationPolicies),
          certificates: v.certificates.snapshot(),
          certificatePolicies: Object.fromEntries(v.certificatePolicies),
          certificateOperations: Object.fromEntries(v.certificateOperations),
          ...(v.certificateContacts ? { certificateContacts: v.certificateContacts } : {}),
          certificateIssuers: [...v.certificateIssuers.values()],
          roleAssignments: v.roleAssignments,
        }))
        .concat(this.#dormant),
      subscriptions: this.delivery.snapshot(),
    };
  }

  async #save(): Promise<void> {
    await writeState(this.options.stateDir!, this.#snapshot());
  }

  async #restore(state: EmulatorState | undefined): Promise<void> {
    if (!state) return;
    if (state.clockOffsetSeconds > this.clock.offsetSeconds) {
      this.clock.advance(state.clockOffsetSeconds - this.clock.offsetSeconds);
    }
    this.#backups = new BackupSealer(Buffer.from(state.backupKey, "base64"));
    for (const saved of state.vaults) {
      const vault = this.vaults.get(saved.settings.name.toLowerCase());
      if (!vault) {
        this.#dormant.push(saved);
        continue;
      }
      vault.secrets.load(saved.secrets);
      vault.keys.load(saved.keys);
      for (const [name, policy] of Object.entries(saved.keyRotationPolicies)) {
        vault.keyRotationPolicies.set(name, policy);
      }
      if (saved.certificates) vault.certificates.load(saved.certificates);
      for (const [name, policy] of Object.entries(saved.certificatePolicies ?? {})) vault.certificatePolicies.set(name, policy);
      for (const [name, op] of Object.entries(saved.certificateOperations ?? {})) vault.certificateOperations.set(name, op);
      vault.certificateContacts = saved.certificateContacts;
      for (const issuer of saved.certificateIssuers ?? []) vault.certificateIssuers.set(issuer.name.toLowerCase(), issuer);
      vault.roleAssignments = saved.roleAssignments.map((a) => ({
        principalId: a.principalId,
        role: a.role as RoleName,
        ...(a.scope ? { scope: a.scope } : {}),
      }));
      // The vault exists: its properties (changed through ARM, perhaps) are what the state says.
      const { name: _n, subscriptionId: _s, resourceGroup: _g, tenantId: _t, ...properties } = saved.settings;
      Object.assign(vault.settings, properties);
    }
    await this.delivery.load(state.subscriptions);
  }
}
