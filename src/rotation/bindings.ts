/**
 * @module Operator bindings: what each rotator may reach, declared by the operator in the policy file (kvguard's
 * own storage), never by a secret's tags. A rotator declares the targets a rotation will reach (from its
 * resolved options and the current value) before any side effect; the engine checks each one here, and a
 * target no binding allows is refused with an error naming the policy-file key that would allow it.
 *
 * ```yaml
 * bindings:
 *   postgres:
 *     - hosts: ["db1.postgres.database.azure.com", "10.0.0.*:5432"]   # host or host:port, `*` globs
 *       tls: verify                                                  # the weakest TLS allowed there (default)
 *   storage-account:
 *     - accounts: ["/subscriptions/SUB/resourceGroups/RG"]           # an account id, or a subscription / group
 *   key-pair:
 *     - resources: ["/subscriptions/SUB/resourceGroups/RG"]          # resource ids, or a subscription / group
 *   entra-app-secret:
 *     - applications: ["00000000-0000-0000-0000-000000000000"]       # appIds or object ids
 * managers:
 *   - secret: pg-admin          # a managing credential of the vault
 *     host: "db1.postgres.database.azure.com:5432"
 *     for: ["app-*"]            # the secrets allowed to use it
 * ```
 *
 * Loopback is not special: 127.0.0.1 needs a binding like any host.
 */
import { z } from "zod";
import { anyGlob, globMatch } from "./glob.js";
import { checkManagerRotation } from "./managerRotation.js";

export const TLS_MODES = ["disable", "require", "verify"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

const rule = z
  .object({
    /** Database servers: `host` or `host:port` globs. */
    hosts: z.array(z.string().min(1)).optional(),
    /** The weakest TLS allowed at those hosts, and the mode used when the secret asks for none. */
    tls: z.enum(TLS_MODES).optional(),
    /** Storage accounts: resource ids, or a subscription or resource group id that contains them. */
    accounts: z.array(z.string().min(1)).optional(),
    /** Azure resources whose keys the key-pair rotator regenerates: resource ids, or a subscription or resource group id. */
    resources: z.array(z.string().min(1)).optional(),
    /** Blob endpoints (`*` globs) the storage rotator's `blobEndpoint` option may name. */
    blobEndpoints: z.array(z.string().min(1)).optional(),
    /** Entra applications (appId or object id). */
    applications: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type BindingRule = z.output<typeof rule>;

/** Per rotator name, one rule or a list. */
export const bindingsShape = z.record(
  z.string(),
  z.union([rule, z.array(rule)]).transform((r) => (Array.isArray(r) ? r : [r])),
);
export type Bindings = z.output<typeof bindingsShape>;

export const managerShape = z
  .object({
    secret: z.string().min(1),
    vault: z.string().default("*"),
    /** The managing user's server (`host:port` glob); a bare-password manager has no other. */
    host: z.string().min(1).optional(),
    /** Secrets (names or `*` globs) that may use this managing credential. */
    for: z.array(z.string().min(1)).min(1),
    /** kvguard may rotate this managing credential itself (single strategy, own connection, its consumers' locks held: managerRotation.ts). */
    rotate: z.boolean().optional(),
  })
  .strict();
export type ManagerEntry = z.output<typeof managerShape>;

/** What a rotation will reach, as the rotator declares it before any side effect. */
export type Target =
  /** A server the rotator connects to, and the TLS mode it will use. */
  | { kind: "host"; host: string; port: number; tls: TlsMode; login?: string }
  /** A managing credential, where it will be used, and the secrets its own `kvguard-manager-for` tag lists. */
  | { kind: "manager"; secret: string; host: string; port: number; ownHost?: { host: string; port?: number }; taggedFor: string[] }
  | { kind: "storage-account"; id: string; blobEndpoint?: string }
  /** An Azure resource whose key pair is regenerated through ARM (`type` names it in messages). */
  | { kind: "resource"; id: string; type: string }
  | { kind: "entra-app"; application: string }
  /** The login the rotated secret holds, how it is rotated, and the secrets its own `kvguard-manager-for` tag lists (a managing credential). */
  | { kind: "own-login"; secret: string; strategy: string; throughManager: boolean; managerFor: string[] };

/** A rotation kvguard will not run because the operator did not allow it; `setting` says what would. */
export class TrustRefusal extends Error {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(`refused: ${message}. An operator allows it with ${setting}`);
    this.name = "TrustRefusal";
  }
}

/** The tag on a managing credential listing the secrets (names or globs, comma-separated) that may use it. */
export const MANAGER_FOR_TAG = "kvguard-manager-for";

const TLS_RANK: Record<TlsMode, number> = { disable: 0, require: 1, verify: 2 };

export function weakerTls(a: TlsMode, b: TlsMode): boolean {
  return TLS_RANK[a] < TLS_RANK[b];
}

export function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The rules of a rotator whose hosts match `host:port` (or the bare host). */
function hostRules(bindings: Bindings, rotator: string, host: string, port: number): BindingRule[] {
  return (bindings[rotator] ?? []).filter((r) => r.hosts && (anyGlob(r.hosts, hostPort(host, port)) || anyGlob(r.hosts, host)));
}

/** The weakest TLS the operator allows at a host: the weakest of the matching rules, `verify` when none. */
export function tlsFloor(bindings: Bindings, rotator: string, host: string, port: number): TlsMode {
  const modes = hostRules(bindings, rotator, host, port).map((r) => r.tls ?? "verify");
  return modes.reduce<TlsMode>((weakest, m) => (weakerTls(m, weakest) ? m : weakest), "verify");
}

/** An id inside a scope: the same id, or a child of it (`/subscriptions/S` contains `/subscriptions/S/...`). */
function inScope(scope: string, id: string): boolean {
  const s = scope.replace(/\/+$/, "").toLowerCase();
  const i = id.replace(/\/+$/, "").toLowerCase();
  return i === s || i.startsWith(`${s}/`);
}

export interface CheckContext {
  rotator: string;
  vault: string;
  secretName: string;
  bindings: Bindings;
  managers: ManagerEntry[];
}

const FILE = "the policy file (KVGUARD_POLICY_FILE)";

/** Throws a TrustRefusal for the first target the operator did not allow. */
export function checkTargets(targets: readonly Target[], c: CheckContext): void {
  const key = (field: string) => `bindings.${c.rotator}[].${field} in ${FILE}`;
  checkManagerRotation(targets, c);
  for (const t of targets) {
    if (t.kind === "host") {
      const where = hostPort(t.host, t.port);
      if (hostRules(c.bindings, c.rotator, t.host, t.port).length === 0) {
        throw new TrustRefusal(`the ${c.rotator} rotator would connect to ${where}, which no operator binding allows`, key("hosts"));
      }
      const floor = tlsFloor(c.bindings, c.rotator, t.host, t.port);
      if (weakerTls(t.tls, floor)) throw new TrustRefusal(`TLS mode ${t.tls} at ${where} is weaker than the operator allows there (${floor})`, key("tls"));
    } else if (t.kind === "manager") checkManager(t, c);
    else if (t.kind === "storage-account") {
      const rules = c.bindings[c.rotator] ?? [];
      if (!rules.some((r) => r.accounts?.some((scope) => inScope(scope, t.id)))) {
        throw new TrustRefusal(
          `the ${c.rotator} rotator would regenerate the keys of storage account ${t.id}, which no operator binding allows`,
          key("accounts"),
        );
      }
      if (t.blobEndpoint !== undefined && !rules.some((r) => r.blobEndpoints && anyGlob(r.blobEndpoints, t.blobEndpoint!))) {
        throw new TrustRefusal(`the blobEndpoint option ${t.blobEndpoint} is not an endpoint the operator allows`, key("blobEndpoints"));
      }
    } else if (t.kind === "resource") {
      if (!(c.bindings[c.rotator] ?? []).some((r) => r.resources?.some((scope) => inScope(scope, t.id)))) {
        throw new TrustRefusal(`the ${c.rotator} rotator would regenerate the keys of ${t.type} ${t.id}, which no operator binding allows`, key("resources"));
      }
    } else if (t.kind === "own-login") continue;
    else if (!(c.bindings[c.rotator] ?? []).some((r) => r.applications?.some((a) => a.toLowerCase() === t.application.toLowerCase()))) {
      throw new TrustRefusal(
        `the ${c.rotator} rotator would add a client secret to Entra application ${t.application}, which no operator binding allows`,
        key("applications"),
      );
    }
  }
}

/**
 * A managing credential is used only for the secrets it names (its `kvguard-manager-for` tag, or a `managers`
 * entry) and only at its own server (its JSON `host`, else the `managers` entry's `host`).
 */
function checkManager(t: Extract<Target, { kind: "manager" }>, c: CheckContext): void {
  const entries = c.managers.filter((m) => m.secret.toLowerCase() === t.secret.toLowerCase() && globMatch(m.vault, c.vault));
  const named = anyGlob(t.taggedFor, c.secretName) || entries.some((m) => anyGlob(m.for, c.secretName));
  if (!named) {
    throw new TrustRefusal(
      `the managing credential ${t.secret} does not name secret ${c.secretName} among those that may use it`,
      `the ${MANAGER_FOR_TAG} tag on ${t.secret}, or managers[].for in ${FILE}`,
    );
  }
  const where = hostPort(t.host, t.port);
  const own = t.ownHost;
  const atOwn = own
    ? own.host.toLowerCase() === t.host.toLowerCase() && (own.port === undefined || own.port === t.port)
    : entries.some((m) => m.host !== undefined && (globMatch(m.host, where) || globMatch(m.host, t.host)));
  if (!atOwn) {
    throw new TrustRefusal(
      `the managing credential ${t.secret} would be used at ${where}, which is not its own server`,
      own ? `the host field of ${t.secret}'s value` : `managers[].host in ${FILE} for ${t.secret}`,
    );
  }
}
