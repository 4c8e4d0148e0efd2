/**
 * @module Clients for kvguard's state storage account (the Functions host's own): blob leases, queues and
 * tables. From `AzureWebJobsStorage` (a connection string, Azurite's included) or, with
 * `AzureWebJobsStorage__accountName`, from the app's identity. The connection string is read here and
 * nowhere else, and never kept in the config.
 */
import type { TokenCredential } from "@azure/core-auth";
import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";

export interface StorageClients {
  blob: BlobServiceClient;
  queue: QueueServiceClient;
  table(name: string): TableClient;
}

export function storageClients(env: Readonly<Record<string, string | undefined>>, credential: TokenCredential): StorageClients {
  const connectionString = env.AzureWebJobsStorage?.trim();
  if (connectionString) {
    const insecure = /DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true|Endpoint=http:/i.test(connectionString);
    return {
      blob: BlobServiceClient.fromConnectionString(connectionString),
      queue: QueueServiceClient.fromConnectionString(connectionString),
      table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: insecure }),
    };
  }
  const account = env.AzureWebJobsStorage__accountName?.trim();
  if (!account) throw new Error("no state storage: set AzureWebJobsStorage or AzureWebJobsStorage__accountName");
  return {
    blob: new BlobServiceClient(`https://${account}.blob.core.windows.net`, credential),
    queue: new QueueServiceClient(`https://${account}.queue.core.windows.net`, credential),
    table: (name) => new TableClient(`https://${account}.table.core.windows.net`, name, credential),
  };
}

/** Creates a table once per process; Azure answers 409 when it exists, which is fine. */
export async function ensureTable(client: TableClient): Promise<TableClient> {
  await client.createTable();
  return client;
}
