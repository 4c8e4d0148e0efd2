/**
 * @module Expiry notices from the rotation sweep, on the vault's clock: each secret, key and certificate of a
 * vault (properties and policies, never values) whose current version expires, and that nothing will rotate
 * or renew in time (renewal.ts), is announced once per stage it reaches (KVGUARD_EXPIRY_NOTICE_DAYS) and once
 * more when it has expired. The ledger makes each announcement once per object version and stage, across
 * sweeps, restarts and sweeps running at once. An `Unknown`-issuer certificate whose policy-file entry sets
 * `prepareCsr` gets a CSR in a pending operation first, and its notice says so.
 */
import type { CertificateClient, KeyVaultCertificateWithPolicy } from "@azure/keyvault-certificates";
import type { Clock } from "../common/clock.js";
import { ensureError } from "../common/errors.js";
import type { EngineVault } from "../rotation/engine.js";
import { isPendingName } from "../rotation/pending.js";
import type { PolicyLimits } from "../rotation/policy.js";
import type { Rotators } from "../rotators/rotators.js";
import { matchEntry, type PolicyFile } from "../rotation/policyFile.js";
import { objectKey, type RotationStatus } from "../rotation/status.js";
import { prepareCsr } from "./csr.js";
import type { NoticeLedger } from "./ledger.js";
import type { CsrState, Notice, ObjectType } from "./notice.js";
import { certificateRenewal, isUnknownIssuer, keyRenewal, secretRenewal, type Renewal } from "./renewal.js";
import { stageAt } from "./stages.js";

export interface ExpiryNoticeDeps {
  ledger: NoticeLedger;
  clock: Clock;
  /** Days before expiry, most distant first. */
  stageDays: readonly number[];
  limits: PolicyLimits;
  /** The rotators policies may name (the app's registry). */
  rotators: Rotators;
  /** kvguard's own HMAC key secret, never announced. */
  hmacSecretName: string;
  certificates(vault: EngineVault): CertificateClient;
  /** Dispatches the notices (the app's notifier); a failure is logged there, never thrown. */
  announce(notices: readonly Notice[]): Promise<unknown>;
}

export interface NoticeReport {
  /** Notices announced by this sweep. */
  announced: Notice[];
  /** Objects that could not be judged, and why; the others still were. */
  errors: string[];
}

interface Candidate {
  objectType: ObjectType;
  name: string;
  version: string;
  objectId: string;
  expiresOn: Date;
  renewal: () => Renewal;
  /** Certificates whose entry asks for a CSR: prepares it. */
  csr?: () => Promise<CsrState>;
}

/** The version of the newest-created of an object's versions. */
async function newest(versions: AsyncIterable<{ version?: string; createdOn?: Date }>): Promise<string | undefined> {
  let best: { version?: string; createdOn?: Date } | undefined;
  for await (const v of versions) if (!best || (v.createdOn?.getTime() ?? 0) >= (best.createdOn?.getTime() ?? 0)) best = v;
  return best?.version;
}

const withoutVersion = (id: string | undefined, version: string) => (id ?? "").replace(new RegExp(`/${version}$`), "");

export class ExpiryNotices {
  constructor(readonly deps: ExpiryNoticeDeps) {}

  /** One vault's notices, after its sweep: `statuses` are kvguard's rotation states by `objectKey`. */
  async sweepVault(vault: EngineVault, file: PolicyFile, statuses: ReadonlyMap<string, RotationStatus>): Promise<NoticeReport> {
    const report: NoticeReport = { announced: [], errors: [] };
    const vaultName = vault.target.name;
    const now = this.deps.clock.nowMs();
    const due: { candidate: Candidate; stage: NonNullable<ReturnType<typeof stageAt>> }[] = [];
    const consider = (c: Candidate) => {
      const stage = stageAt(c.expiresOn.getTime(), now, this.deps.stageDays);
      if (stage) due.push({ candidate: c, stage });
    };
    const listing = async (what: string, list: () => Promise<void>) => {
      try {
        await list();
      } catch (error) {
        report.errors.push(`${what}: ${ensureError(error).message.split("\n")[0]!.slice(0, 300)}`);
      }
    };
    await listing("secrets", async () => {
      for await (const s of vault.secrets.listPropertiesOfSecrets()) {
        // A certificate's backing secret is announced as the certificate.
        if (s.managed || s.enabled === false || !s.expiresOn || isPendingName(s.name)) continue;
        if (s.name.toLowerCase() === this.deps.hmacSecretName.toLowerCase()) continue;
        if (!stageAt(s.expiresOn.getTime(), now, this.deps.stageDays)) continue;
        // The listing names no version: the current one is the newest (its properties, never its value).
        const version = await newest(vault.secrets.listPropertiesOfSecretVersions(s.name));
        if (!version) continue;
        const expiresOn = s.expiresOn;
        consider({
          objectType: "secret",
          name: s.name,
          version,
          objectId: withoutVersion(s.id, version),
          expiresOn,
          renewal: () =>
            secretRenewal(
              this.deps.rotators,
              { ...s, expiresOn },
              matchEntry(file.secrets, vaultName, s.name),
              this.deps.limits,
              statuses.get(objectKey("secret", s.name)),
            ),
        });
      }
    });
    await listing("keys", async () => {
      for await (const k of vault.keys.listPropertiesOfKeys()) {
        if (k.managed || k.enabled === false || !k.expiresOn) continue;
        if (!stageAt(k.expiresOn.getTime(), now, this.deps.stageDays)) continue;
        const version = await newest(vault.keys.listPropertiesOfKeyVersions(k.name));
        if (!version) continue;
        const expiresOn = k.expiresOn;
        consider({
          objectType: "key",
          name: k.name,
          version,
          objectId: withoutVersion(k.id, version),
          expiresOn,
          renewal: () => keyRenewal(this.deps.rotators, { ...k, expiresOn }, matchEntry(file.keys, vaultName, k.name), statuses.get(objectKey("key", k.name))),
        });
      }
    });
    await listing("certificates", async () => {
      const client = this.deps.certificates(vault);
      for await (const c of client.listPropertiesOfCertificates()) {
        const name = c.name;
        if (!name || c.enabled === false || !c.expiresOn) continue;
        if (!stageAt(c.expiresOn.getTime(), now, this.deps.stageDays)) continue;
        // Read only for certificates within a stage: the current version (its public certificate) and the policy.
        let current: KeyVaultCertificateWithPolicy;
        try {
          current = await client.getCertificate(name);
        } catch (error) {
          report.errors.push(`certificate ${name}: ${ensureError(error).message.split("\n")[0]!.slice(0, 300)}`);
          continue;
        }
        const { version, expiresOn } = current.properties;
        if (!version || !expiresOn) continue;
        const policy = current.policy;
        const entry = matchEntry(file.certificates ?? [], vaultName, name);
        consider({
          objectType: "certificate",
          name,
          version,
          objectId: withoutVersion(current.properties.id, version),
          expiresOn,
          renewal: () => certificateRenewal(policy, statuses.get(objectKey("certificate", name))),
          ...(policy && !entry?.invalid && entry?.prepareCsr && isUnknownIssuer(policy)
            ? { csr: () => prepareCsr({ client, ledger: this.deps.ledger, vault: vaultName, name, version, policy, nowMs: now }) }
            : {}),
        });
      }
    });
    const noticedAt = new Date(now).toISOString();
    for (const { candidate: c, stage } of due) {
      try {
        const renewal = c.renewal();
        if (renewal.by !== "nobody") continue;
        const notice: Notice = {
          vault: vaultName,
          objectType: c.objectType,
          name: c.name,
          version: c.version,
          objectId: c.objectId,
          expiresOn: c.expiresOn.toISOString(),
          stage: stage.stage,
          daysLeft: stage.daysLeft,
          why: renewal.why,
          noticedAt,
          ...(stage.nextStage !== undefined ? { nextStage: stage.nextStage } : {}),
        };
        const claim = await this.deps.ledger.claimNotice(notice, now);
        if (claim.state !== "claimed") continue;
        if (c.csr) notice.csr = await c.csr();
        await this.deps.announce([notice]);
        // The row keeps the notice as announced (with its CSR state): the export reads it from there.
        await claim.done({ notice: JSON.stringify(notice) });
        report.announced.push(notice);
      } catch (error) {
        report.errors.push(`${c.objectType} ${c.name}: ${ensureError(error).message.split("\n")[0]!.slice(0, 300)}`);
      }
    }
    return report;
  }
}
