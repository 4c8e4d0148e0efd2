/**
 * @module Doctor checks of the state storage account, each with the operations kvguard performs there: the
 * rotation queue (create if missing, read its length and the poison queue's), the history table (create if
 * missing, read a row) and a blob lease like a rotation lock's. Once one check cannot reach the account
 * the others are skipped: they would only wait for the same deadline.
 */
import type { TokenCredential } from "@azure/core-auth";
import { statusOf } from "../common/errors.js";
import type { KvguardConfig } from "../config/schema.js";
import { HISTORY_TABLE } from "../rotation/history.js";
import { storageClients } from "../state/storage.js";
import { runCheck, skipped, type CheckResult } from "./check.js";
import { diagnoseStorage } from "./fixes.js";

/** The container of rotation locks; the probe blob sits beside the locks, under a name no secret has. */
const LOCK_CONTAINER = "kvguard-locks";
const PROBE_BLOB = "kvguard-doctor/lease-probe";

export async function stateChecks(
  env: Readonly<Record<string, string | undefined>>,
  config: KvguardConfig,
  credential: TokenCredential,
  timeoutMs: number,
): Promise<CheckResult[]> {
  const storage = storageClients(env, credential);
  const account = config.storage.kind === "developmentStorage" ? "devstoreaccount1" : config.storage.accountName;
  const results: CheckResult[] = [];
  let unreachable: string | undefined;

  const check = async (name: string, service: "queue" | "table" | "blob", endpoint: string, body: (signal: AbortSignal) => Promise<string>) => {
    if (unreachable) return results.push(skipped(name, `not tried: ${unreachable}`));
    const result = await runCheck(name, timeoutMs, body, (error) => diagnoseStorage(error, service, account, endpoint));
    if (result.status === "failed" && !/^403 /.test(result.detail)) unreachable = result.detail;
    results.push(result);
  };

  await check("state: queue", "queue", storage.queue.url, async (abortSignal) => {
    const queue = storage.queue.getQueueClient(config.rotation.queue);
    await queue.createIfNotExists({ abortSignal });
    const { approximateMessagesCount = 0 } = await queue.getProperties({ abortSignal });
    const poison = await storage.queue
      .getQueueClient(`${config.rotation.queue}-poison`)
      .getProperties({ abortSignal })
      .then((p) => p.approximateMessagesCount ?? 0)
      .catch((error: unknown) => {
        if (statusOf(error) === 404) return 0;
        throw error;
      });
    return `queue ${config.rotation.queue}: about ${approximateMessagesCount} jobs waiting, ${poison} in ${config.rotation.queue}-poison`;
  });

  await check("state: table", "table", storage.table(HISTORY_TABLE).url, async (abortSignal) => {
    const table = storage.table(HISTORY_TABLE);
    await table.createTable({ abortSignal });
    const page = await table
      .listEntities({ abortSignal, queryOptions: { select: ["PartitionKey"] } })
      .byPage({ maxPageSize: 1 })
      .next();
    return `table ${HISTORY_TABLE} readable and writable (${page.done || page.value.length === 0 ? "no rotation recorded yet" : "rotations recorded"})`;
  });

  await check("state: blob lease", "blob", storage.blob.url, async (abortSignal) => {
    const container = storage.blob.getContainerClient(LOCK_CONTAINER);
    await container.createIfNotExists({ abortSignal });
    const blob = container.getBlockBlobClient(PROBE_BLOB);
    if (!(await blob.exists({ abortSignal }))) await blob.upload("", 0, { abortSignal });
    const lease = blob.getBlobLeaseClient();
    try {
      await lease.acquireLease(15, { abortSignal });
    } catch (error) {
      // Another doctor run holds the probe's lease: leases work.
      if (statusOf(error) === 409) return `the probe blob in ${LOCK_CONTAINER} is leased by another run: leases work`;
      throw error;
    }
    await lease.releaseLease({ abortSignal });
    return `took and released a lease in ${LOCK_CONTAINER}, as rotation locks do`;
  });
  return results;
}
