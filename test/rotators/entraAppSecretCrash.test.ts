/**
 * The `entra-app-secret` rotator's own crash window, through the built CLI: a run that dies after addPassword
 * but before Key Vault has the pending credential (Key Vault refuses the write) leaves an orphan client secret,
 * which the rerun removes: the app then holds exactly one new kvguard secret besides the replaced one, and it
 * gets a token. A kill after each engine step is the rotator contract's (contract.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEntraAdmin, type AdminApplication } from "../../emulator/cloud/entra/adminClient.js";
import { devClaims } from "../../src/azure/devCredential.js";
import type { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, openPendings, PENDING, serviceFor } from "../helpers/rotation.js";
import { secretWorks } from "../helpers/entra.js";

const KVGUARD_OID = devClaims({ name: "kvguard" }).oid!;

interface Case {
  step: "addPassword";
  name: string;
  app?: AdminApplication;
  initialKeyId?: string;
  pendingKeyId?: string;
}

let stack: LocalStack;
let service: RotationService;
let admin: LocalEntraAdmin;
const capture = new Capture();
const cases: Case[] = [{ step: "addPassword", name: "entra-crash-addpassword" }];

const works = (appId: string, secret: string) => secretWorks(stack, appId, secret);

beforeAll(async () => {
  stack = await startLocalStack({ policy: {} });
  service = await serviceFor(stack, capture);
  admin = new LocalEntraAdmin(stack.cloud.url, stack.tv.kv.tls.caPem);
  await admin.setPermissions(KVGUARD_OID, ["Application.ReadWrite.OwnedBy"]);
  for (const c of cases) {
    c.app = await admin.createApplication({ displayName: c.name, owners: [KVGUARD_OID] });
    const initial = await admin.addPassword(c.app.id, { displayName: "made by hand" });
    capture.values.add(initial.secretText);
    c.initialKeyId = initial.keyId;
    await kvguardSecrets(stack).setSecret(c.name, initial.secretText, {
      tags: { "kvguard-rotator": "entra-app-secret", ProviderAddress: c.app.appId, CredentialId: initial.keyId, "kvguard-options": "propagationSeconds=10" },
    });
  }
  // The operator binds the applications kvguard may add client secrets to.
  await stack.writePolicy!({ bindings: { "entra-app-secret": [{ applications: cases.map((c) => c.app!.appId) }] } });
});
afterAll(() => stack.stop());

describe("entra-app-secret dying between addPassword and Key Vault", () => {
  it("dies after addPassword when Key Vault refuses the pending write, leaving an orphan", async () => {
    const c = cases.find((x) => x.step === "addPassword")!;
    stack.tv.kv.faults.add({ status: 400, count: 1, match: `PUT /secrets/${c.name}${PENDING}` });
    const failed = await capture.cli(stack, ["rotate", `local/${c.name}`]);
    expect(failed.code).not.toBe(0);
    const marked = (await admin.getApplication(c.app!.id)).passwordCredentials.filter((p) => p.displayName === `kvguard local/${c.name}`);
    expect(marked).toHaveLength(1);
  });

  it("a rerun finishes each with exactly one new client secret that works, the old one kept for its grace period", async () => {
    const results = await Promise.all(cases.map((c) => capture.cli(stack, ["rotate", `local/${c.name}`, "--json"])));
    const secrets = kvguardSecrets(stack);
    for (const [i, c] of cases.entries()) {
      expect(results[i]!.code, `${c.name}: ${results[i]!.stderr}`).toBe(0);
      const outcome = (JSON.parse(results[i]!.stdout.trim().split("\n").at(-1)!) as { outcome: string }).outcome;
      expect(outcome, c.name).toBe("rotated");
      const live = await secrets.getSecret(c.name);
      capture.values.add(live.value!);
      const current = live.properties.tags!.CredentialId!;
      if (c.pendingKeyId) expect(current, c.name).toBe(c.pendingKeyId);
      const keyIds = (await admin.getApplication(c.app!.id)).passwordCredentials.map((p) => p.keyId).sort();
      expect(keyIds, c.name).toEqual([c.initialKeyId!, current].sort());
      expect(await works(c.app!.appId, live.value!), c.name).toBe(true);
    }
    expect(await openPendings(secrets)).toEqual([]);
  });

  it("prints no secret value in any output, history or status", async () => {
    await expectNoSecretValues(stack, capture, service);
  });
});
