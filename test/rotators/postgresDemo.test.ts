/**
 * @module The PostgreSQL demo of `npm start` (dev/demo/postgresDemo.ts) on the local stack: it seeds
 * the app secret with a `postgres` policy, and after a rotation its watcher logs in with the new password
 * and says so, without the password; a restart on the same state folder keeps the role and the secret.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_POLICY } from "../../dev/demo/operatorPolicy.js";
import { POSTGRES_DEMO, startPostgresDemo, type PostgresDemo } from "../../dev/demo/postgresDemo.js";
import type { RotationService } from "../../src/rotation/service.js";
import { startLocalStack, type LocalStack } from "../helpers/localStack.js";
import { Capture, expectNoSecretValues, kvguardSecrets, serviceFor } from "../helpers/rotation.js";
import { waitUntil } from "../helpers/wait.js";

let stack: LocalStack;
let stateDir: string;
let demo: PostgresDemo | undefined;
let service: RotationService;
const capture = new Capture();
const lines: string[] = [];

/** Waits until the demo has said what `predicate` looks for; a test that times out on it shows what it said. */
async function until(predicate: () => boolean): Promise<void> {
  await waitUntil("the demo's line", predicate, { seen: () => lines.join("\n") });
}

beforeAll(async () => {
  // The demo's operator policy (its bindings and its short minimum rotation period), as `npm start` declares it.
  stack = await startLocalStack({ policy: DEMO_POLICY, settings: { KVGUARD_MIN_ROTATION_PERIOD: "PT1M" } });
  service = await serviceFor(stack, capture);
  stateDir = await mkdtemp(join(tmpdir(), "kvguard-pgdemo-"));
  await chmod(stateDir, 0o755);
});
afterAll(async () => {
  await demo?.stop();
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const start = () =>
  startPostgresDemo({ kv: stack.tv.kv, vaultUrl: stack.tv.url, stateDir, pollMs: 200, write: (line) => (lines.push(line), capture.add("demo", line)) });

it("seeds a role whose password is a rotated demo secret, and logs in with each new version", async () => {
  demo = await start();
  const secrets = kvguardSecrets(stack);
  const seeded = await secrets.getSecret(POSTGRES_DEMO.appSecret);
  capture.values.add(seeded.value!);
  expect(seeded.properties.tags).toMatchObject({
    "kvguard-rotator": "postgres",
    CredentialId: "demo_app",
    ProviderAddress: `127.0.0.1:${demo.port}`,
    "kvguard-rotate-every": "PT2M",
  });
  await until(() => lines.some((l) => l.includes("logged in with the current password")));

  const result = await service.rotateNow(stack.config.vaults[0]!.name, POSTGRES_DEMO.appSecret);
  expect(result.outcome).toBe("rotated");
  capture.values.add((await secrets.getSecret(POSTGRES_DEMO.appSecret)).value!);
  await until(() => lines.some((l) => l.includes(`logged in with the new password (version ${result.version} of demo-postgres-app)`)));
  expect(lines.filter((l) => l.includes("could not"))).toEqual([]);

  // A restart on the same state keeps the server's data, the role and its rotated password.
  await demo.stop();
  lines.length = 0;
  demo = await start();
  await until(() => lines.some((l) => l.includes(`logged in with the current password (version ${result.version} of demo-postgres-app)`)));
  await expectNoSecretValues(stack, capture, service);
});
