/**
 * @module Proof that a key works: a real Blob service call (Get Blob Service Properties, which only the
 * account's owner may make) signed with the key through `@azure/storage-blob`'s shared-key credential.
 */
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { ensureError, statusOf } from "../../../common/errors.js";

export async function proveKey(blobEndpoint: string, account: string, keyName: string, key: string): Promise<void> {
  // The engine retries the test for propagation delay; one try each here keeps a refusal quick.
  const client = new BlobServiceClient(blobEndpoint, new StorageSharedKeyCredential(account, key), { retryOptions: { maxTries: 1, tryTimeoutInMs: 30_000 } });
  try {
    await client.getProperties();
  } catch (error) {
    const status = statusOf(error);
    const code = (error as { code?: unknown }).code;
    const why = status === 403 ? "the service refused its signature" : ensureError(error).message.split("\n")[0];
    throw new Error(
      `${keyName} of storage account ${account} does not work at ${blobEndpoint}: ${status ?? ""}${typeof code === "string" ? ` ${code}` : ""} ${why}`.replace(
        /\s+/g,
        " ",
      ),
      {
        cause: error,
      },
    );
  }
}
