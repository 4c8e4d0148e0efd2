/**
 * @module A client of the local Entra's admin API (`/management/entra/` on the local cloud), over HTTPS
 * trusting the local CA: what tests and the demo use to create applications, seed a first client secret
 * and grant Graph permissions.
 */
import { request } from "node:https";
import type { GraphPermission } from "./directory.js";

export interface AdminPassword {
  keyId: string;
  displayName: string | null;
  hint: string;
  startDateTime: string;
  endDateTime: string;
}

export interface AdminApplication {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  servicePrincipalId: string;
  owners: string[];
  maxPasswords: number | null;
  maxPasswordLifetimeDays: number | null;
  propagationSeconds: number;
  passwordCredentials: AdminPassword[];
}

export interface ApplicationSettings {
  owners?: string[];
  maxPasswords?: number;
  maxPasswordLifetimeDays?: number;
  propagationSeconds?: number;
  signInAudience?: string;
}

export class LocalEntraAdmin {
  constructor(
    readonly cloudUrl: string,
    readonly ca: string,
  ) {}

  createApplication(input: { displayName: string; id?: string; appId?: string } & ApplicationSettings): Promise<AdminApplication> {
    return this.#call("POST", "/applications", input) as Promise<AdminApplication>;
  }

  getApplication(idOrAppId: string): Promise<AdminApplication> {
    return this.#call("GET", `/applications/${idOrAppId}`) as Promise<AdminApplication>;
  }

  updateApplication(idOrAppId: string, changes: ApplicationSettings): Promise<AdminApplication> {
    return this.#call("PATCH", `/applications/${idOrAppId}`, changes) as Promise<AdminApplication>;
  }

  /** Adds a client secret as an admin would in the portal; its text is in the answer, once. */
  addPassword(
    idOrAppId: string,
    input: { displayName?: string; startDateTime?: string; endDateTime?: string } = {},
  ): Promise<AdminPassword & { secretText: string }> {
    return this.#call("POST", `/applications/${idOrAppId}/passwords`, input) as Promise<AdminPassword & { secretText: string }>;
  }

  /** Grants a principal (by object id) Graph application permissions, replacing what it had. */
  async setPermissions(principalId: string, permissions: GraphPermission[]): Promise<void> {
    await this.#call("PUT", `/permissions/${principalId}`, { permissions });
  }

  #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const text = body === undefined ? "" : JSON.stringify(body);
    const url = `${this.cloudUrl}/management/entra${path}`;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, ca: this.ca, headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          const parsed = raw ? (JSON.parse(raw) as { error?: { message?: string } }) : undefined;
          if (status >= 200 && status < 300) resolve(parsed);
          else reject(new Error(`${method} ${path}: ${status} ${parsed?.error?.message ?? raw}`));
        });
      });
      req.on("error", reject);
      req.end(text);
    });
  }
}
