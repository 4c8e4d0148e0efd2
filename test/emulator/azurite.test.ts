import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { QueueServiceClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type RunningAzurite } from "../../emulator/azurite.js";

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(() => azurite.stop());

describe("startAzurite", () => {
  it("serves blob leases, queues and tables to the real SDKs through one connection string", async () => {
    const blob = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("locks").getBlockBlobClient("a");
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("locks").createIfNotExists();
    await blob.upload("", 0);
    expect((await blob.getBlobLeaseClient().acquireLease(15)).leaseId).toBeTruthy();
    await expect(blob.getBlobLeaseClient().acquireLease(15)).rejects.toMatchObject({ statusCode: 409 });

    const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient("jobs");
    await queue.createIfNotExists();
    await queue.sendMessage("hello");
    expect((await queue.receiveMessages()).receivedMessageItems[0]?.messageText).toBe("hello");

    const table = TableClient.fromConnectionString(azurite.connectionString, "history", { allowInsecureConnection: true });
    await table.createTable();
    await table.createEntity({ partitionKey: "p", rowKey: "r", value: 1 });
    expect((await table.getEntity<{ value: number }>("p", "r")).value).toBe(1);
  });
});
