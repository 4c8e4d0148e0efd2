/**
 * @module `kvguard rotate VAULT/NAME --check`, the test-only rotation: everything a rotation relies on, proven
 * without changing anything. It reads (the policy, the live value, the managing credential) and logs in, but
 * writes no version, no pending companion, no history or status row, and calls no rotator step that acts
 * (`create`, `set`, `revoke`): only `test` of the current credential and the rotator's `checkManager`.
 */
import type { KeyVaultSecret } from "@azure/keyvault-secrets";
import { ensureError, statusOf } from "../common/errors.js";
import { resolveKeyPolicy } from "../rotators/keyvault-key/index.js";
import { PendingStore } from "../rotation/pending.js";
import { resolvePolicy, TAGS } from "../rotation/policy.js";
import { matchEntry } from "../rotation/policyFile.js";
import type { RotationService } from "../rotation/service.js";
import type { Credential, RotatorContext } from "../rotators/types.js";

export interface CheckStep {
  check: "policy" | "status" | "bindings" | "current credential" | "managing credential";
  ok: boolean;
  detail: string;
}

export interface CheckReport {
  vault: string;
  name: string;
  kind: "secret" | "key";
  ok: boolean;
  steps: CheckStep[];
}

type Service = Pick<RotationService, "vaults" | "status" | "policy" | "config" | "engine">;

/** Runs one step; its failure is recorded with the error's message (drivers name hosts and users, never passwords). */
async function step(steps: CheckStep[], check: CheckStep["check"], act: () => Promise<string>): Promise<boolean> {
  try {
    steps.push({ check, ok: true, detail: await act() });
    return true;
  } catch (error) {
    steps.push({ check, ok: false, detail: ensureError(error).message });
    return false;
  }
}

export async function checkRotation(service: Service, vaultName: string, name: string, kind: "secret" | "key"): Promise<CheckReport> {
  const vault = service.vaults.get(vaultName.toLowerCase());
  if (!vault) throw new Error(`vault ${vaultName} is not one kvguard manages`);
  const steps: CheckStep[] = [];
  const done = () => ({ vault: vault.target.name, name, kind, ok: steps.every((s) => s.ok), steps });

  const status = await service.status.get(vault.target.name, name, kind);
  if (status && status.state !== "ok" && status.state !== "no-policy") {
    steps.push({ check: "status", ok: false, detail: `last rotation ${status.state}${status.lastError ? `: ${status.lastError}` : ""}` });
  }

  if (kind === "key") {
    const key = await vault.keys.getKey(name);
    const resolved = resolveKeyPolicy(
      service.engine.deps.rotators,
      key.properties.tags,
      matchEntry((await service.policy.current()).keys, vault.target.name, name),
    );
    await step(steps, "policy", () => {
      if (resolved.kind === "none") throw new Error("no rotation policy (no kvguard-rotator tag, no policy-file entry)");
      if (resolved.kind === "invalid") throw new Error(`invalid rotation policy: ${resolved.problems.join("; ")}`);
      return Promise.resolve(`keyvault-key rotator, policy valid`);
    });
    // Key Vault rotates the key itself; kvguard needs to read and set its native rotation policy.
    await step(steps, "managing credential", async () => {
      await vault.keys.getKeyRotationPolicy(name);
      return "kvguard's identity reads the key's native rotation policy";
    });
    return done();
  }

  let live: KeyVaultSecret;
  try {
    live = await vault.secrets.getSecret(name);
  } catch (error) {
    if (statusOf(error) === 404) throw new Error(`secret ${name} does not exist in vault ${vault.target.name}`, { cause: error });
    throw error;
  }
  const resolved = resolvePolicy(
    service.engine.deps.rotators,
    live.properties.tags,
    matchEntry((await service.policy.current()).secrets, vault.target.name, name),
    {
      minRotationSeconds: service.config.rotation.minRotationSeconds,
    },
  );
  const policyOk = await step(steps, "policy", () => {
    if (resolved.kind === "none") throw new Error("no rotation policy (no kvguard-rotator tag, no policy-file entry)");
    if (resolved.kind === "invalid") throw new Error(`invalid rotation policy: ${resolved.problems.join("; ")}`);
    return Promise.resolve(`${resolved.policy.rotator.name} rotator, options valid`);
  });
  if (!policyOk || resolved.kind !== "policy") return done();

  const pending = await new PendingStore(vault.secrets).read(name);
  if (pending)
    steps.push({
      check: "status",
      ok: false,
      detail: `a rotation stopped at step ${pending.step} (rotation ${pending.rotationId}); the next sweep resumes it`,
    });

  const credentialId = live.properties.tags?.[TAGS.credentialId];
  const current: Credential = { value: live.value ?? "", metadata: credentialId === undefined ? {} : { credentialId } };
  const rotator = resolved.policy.rotator;
  // The operator's bindings first: a check reaches nothing a rotation could not.
  let ctx: RotatorContext;
  try {
    ctx = await service.engine.contextFor(vault, name, live, resolved.policy, current);
    steps.push({ check: "bindings", ok: true, detail: "every target the rotation would reach is bound by the operator" });
  } catch (error) {
    steps.push({ check: "bindings", ok: false, detail: ensureError(error).message });
    return done();
  }
  await step(steps, "current credential", async () => {
    await rotator.test(ctx, current, "current");
    return `${rotator.name}: the current credential works at its target`;
  });
  if (rotator.checkManager) await step(steps, "managing credential", () => rotator.checkManager!(ctx, current));
  return done();
}
