/**
 * @module The local Entra ID directory: one tenant's applications with their client secrets, which
 * principals hold which Microsoft Graph application permissions, and the rules Graph enforces on
 * passwords (an app-management policy's maximum lifetime, at most two secrets for apps that admit personal
 * Microsoft accounts). A secret's text is never kept: only a salted SHA-256 of it and its three-character
 * hint, as Entra shows it. State lives in memory, and in `entra.json` of a state folder when given.
 */
import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The local tenant (the dev tokens' `tid`). */
export const LOCAL_ENTRA_TENANT = "00000000-0000-0000-0000-000000000000";

/** Graph application permissions the local Graph checks. */
export const GRAPH_PERMISSIONS = ["Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All"] as const;
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];

/** Audiences under which Graph allows at most two client secrets. */
const PERSONAL_AUDIENCES = new Set(["AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"]);
const DEFAULT_LIFETIME_MS = 2 * 365 * 86_400_000;
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~";

export interface StoredPassword {
  keyId: string;
  displayName: string | null;
  startDateTime: string;
  endDateTime: string;
  hint: string;
  salt: string;
  /** SHA-256 of salt + secret text, hex. */
  hash: string;
}

export interface EntraApplication {
  /** The application object's id (what `/applications/{id}` takes). */
  id: string;
  appId: string;
  /** The object id of the app's service principal: the `oid` of the tokens it gets. */
  servicePrincipalId: string;
  displayName: string;
  signInAudience: string;
  createdDateTime: string;
  /** Object ids of the owners (Application.ReadWrite.OwnedBy lets them manage the app). */
  owners: string[];
  /** Most client secrets Graph accepts (default: 2 for personal-account audiences, else unlimited). */
  maxPasswords?: number;
  /** An app-management policy's `passwordLifetime` restriction, in days. */
  maxPasswordLifetimeDays?: number;
  /** Seconds before the token endpoint accepts a new secret (Entra's replication delay). */
  propagationSeconds?: number;
  passwordCredentials: StoredPassword[];
}

export interface NewApplication {
  displayName: string;
  id?: string;
  appId?: string;
  signInAudience?: string;
  owners?: string[];
  maxPasswords?: number;
  maxPasswordLifetimeDays?: number;
  propagationSeconds?: number;
}

export interface NewPassword {
  displayName?: string | null;
  startDateTime?: string;
  endDateTime?: string;
}

/** What addPassword returns: the only time the secret text is seen. */
export interface AddedPassword {
  customKeyIdentifier: null;
  displayName: string | null;
  endDateTime: string;
  hint: string;
  keyId: string;
  secretText: string;
  startDateTime: string;
}

/** A refusal Graph answers with 400 (`code` is Graph's error code). */
export class PasswordRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: { code: string; message?: string; target: string }[] = [],
  ) {
    super(message);
    this.name = "PasswordRefused";
  }
}

interface Snapshot {
  applications: EntraApplication[];
  permissions: Record<string, GraphPermission[]>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID derived from a seed, so a service principal keeps its object id across restarts. */
function seededGuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function digest(salt: string, secret: string): string {
  return createHash("sha256").update(salt).update(secret).digest("hex");
}

/** Entra's shape: 40 characters, the third-and-fourth after a digit are `Q~`. */
function newSecretText(): string {
  const pick = (n: number) => Array.from({ length: n }, () => SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)]!).join("");
  return `${pick(3)}${randomInt(10)}Q~${pick(34)}`;
}

function isoDate(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new PasswordRefused("Request_BadRequest", `Invalid value specified for property '${what}' of resource 'PasswordCredential'.`);
  return ms;
}

export class EntraDirectory {
  readonly tenantId = LOCAL_ENTRA_TENANT;
  readonly #apps = new Map<string, EntraApplication>();
  readonly #permissions = new Map<string, Set<GraphPermission>>();
  readonly #file?: string;

  constructor(stateDir?: string) {
    if (stateDir) {
      this.#file = join(stateDir, "entra.json");
      this.#load();
    }
  }

  /** By object id or appId. */
  find(ref: string): EntraApplication | undefined {
    const key = ref.toLowerCase();
    return this.#apps.get(key) ?? [...this.#apps.values()].find((a) => a.appId.toLowerCase() === key);
  }

  byObjectId(id: string): EntraApplication | undefined {
    return this.#apps.get(id.toLowerCase());
  }

  byAppId(appId: string): EntraApplication | undefined {
    return [...this.#apps.values()].find((a) => a.appId.toLowerCase() === appId.toLowerCase());
  }

  applications(): EntraApplication[] {
    return [...this.#apps.values()];
  }

  createApplication(input: NewApplication): EntraApplication {
    for (const [field, value] of [
      ["id", input.id],
      ["appId", input.appId],
    ] as const) {
      if (value !== undefined && !GUID.test(value)) throw new Error(`${field} "${value}" is not a GUID`);
    }
    const id = (input.id ?? randomUUID()).toLowerCase();
    const appId = (input.appId ?? randomUUID()).toLowerCase();
    if (this.find(id) || this.find(appId)) throw new Error(`an application with id ${id} or appId ${appId} exists`);
    const app: EntraApplication = {
      id,
      appId,
      servicePrincipalId: seededGuid(`sp:${appId}`),
      displayName: input.displayName,
      signInAudience: input.signInAudience ?? "AzureADMyOrg",
      createdDateTime: new Date().toISOString(),
      owners: input.owners ?? [],
      ...(input.maxPasswords !== undefined ? { maxPasswords: input.maxPasswords } : {}),
      ...(input.maxPasswordLifetimeDays !== undefined ? { maxPasswordLifetimeDays: input.maxPasswordLifetimeDays } : {}),
      ...(input.propagationSeconds !== undefined ? { propagationSeconds: input.propagationSeconds } : {}),
      passwordCredentials: [],
    };
    this.#apps.set(id, app);
    this.#save();
    return app;
  }

  /** Changes an app's owners, limits or policy (tests and the demo). */
  updateApplication(
    app: EntraApplication,
    changes: Partial<Pick<EntraApplication, "owners" | "maxPasswords" | "maxPasswordLifetimeDays" | "propagationSeconds" | "signInAudience">>,
  ): void {
    Object.assign(app, changes);
    this.#save();
  }

  deleteApplication(app: EntraApplication): void {
    this.#apps.delete(app.id);
    this.#save();
  }

  /** The most passwords Graph accepts on this app. */
  maxPasswords(app: EntraApplication): number | undefined {
    return app.maxPasswords ?? (PERSONAL_AUDIENCES.has(app.signInAudience) ? 2 : undefined);
  }

  /** Graph's addPassword: the rules it enforces, then a new secret whose text is returned once. */
  addPassword(app: EntraApplication, input: NewPassword, nowMs = Date.now()): AddedPassword {
    const start = isoDate(input.startDateTime, "startDateTime") ?? nowMs;
    const end = isoDate(input.endDateTime, "endDateTime") ?? start + DEFAULT_LIFETIME_MS;
    if (end <= start) {
      throw new PasswordRefused("InvalidKeyEndDate", "Key credential end date is invalid.", [{ code: "InvalidKeyEndDate", target: "EndDate" }]);
    }
    const max = this.maxPasswords(app);
    if (max !== undefined && app.passwordCredentials.length >= max) {
      throw new PasswordRefused(
        "TooManyAppPasswords",
        `Not allowed to add ${app.passwordCredentials.length + 1} passwords. You can only add a maximum of ${max} passwords.`,
        [{ code: "TooManyAppPasswords", target: "passwordCredentials" }],
      );
    }
    if (app.maxPasswordLifetimeDays !== undefined && end - start > app.maxPasswordLifetimeDays * 86_400_000) {
      const message = `Credential lifetime exceeds the max value allowed as per assigned policy '${seededGuid(`policy:${app.id}`)}'.`;
      throw new PasswordRefused("CredentialInvalidLifetimeAsPerAppPolicy", message, [{ code: "InvalidKeyEndDate", message, target: "EndDate" }]);
    }
    const secretText = newSecretText();
    const salt = randomBytes(16).toString("hex");
    const stored: StoredPassword = {
      keyId: randomUUID(),
      displayName: input.displayName ?? null,
      startDateTime: new Date(start).toISOString(),
      endDateTime: new Date(end).toISOString(),
      hint: secretText.slice(0, 3),
      salt,
      hash: digest(salt, secretText),
    };
    app.passwordCredentials.push(stored);
    this.#save();
    const { salt: _salt, hash: _hash, ...shown } = stored;
    return { customKeyIdentifier: null, ...shown, secretText };
  }

  /** Graph's removePassword; false when the app has no password with that keyId. */
  removePassword(app: EntraApplication, keyId: string): boolean {
    const before = app.passwordCredentials.length;
    app.passwordCredentials = app.passwordCredentials.filter((p) => p.keyId.toLowerCase() !== keyId.toLowerCase());
    if (app.passwordCredentials.length === before) return false;
    this.#save();
    return true;
  }

  /** The password a client secret belongs to, by its hash; undefined when none matches. */
  passwordFor(app: EntraApplication, secret: string): StoredPassword | undefined {
    return app.passwordCredentials.find((p) => {
      const a = Buffer.from(digest(p.salt, secret), "hex");
      return timingSafeEqual(a, Buffer.from(p.hash, "hex"));
    });
  }

  permissionsOf(principalId: string): GraphPermission[] {
    return [...(this.#permissions.get(principalId.toLowerCase()) ?? [])];
  }

  allPermissions(): Record<string, GraphPermission[]> {
    return Object.fromEntries([...this.#permissions].map(([k, v]) => [k, [...v]]));
  }

  /** Replaces a principal's Graph application permissions (granted with admin consent). */
  setPermissions(principalId: string, permissions: GraphPermission[]): void {
    if (permissions.length === 0) this.#permissions.delete(principalId.toLowerCase());
    else this.#permissions.set(principalId.toLowerCase(), new Set(permissions));
    this.#save();
  }

  #load(): void {
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(readFileSync(this.#file!, "utf8")) as Snapshot;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw new Error(`${this.#file} is not a local Entra state file: ${(error as Error).message}`, { cause: error });
    }
    for (const app of snapshot.applications) this.#apps.set(app.id, app);
    for (const [principal, permissions] of Object.entries(snapshot.permissions)) this.#permissions.set(principal, new Set(permissions));
  }

  #save(): void {
    if (!this.#file) return;
    const snapshot: Snapshot = { applications: this.applications(), permissions: this.allPermissions() };
    writeFileSync(this.#file, JSON.stringify(snapshot, null, 1));
  }
}
