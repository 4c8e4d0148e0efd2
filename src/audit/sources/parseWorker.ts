/**
 * @module A parse thread of the pool in parallelFiles.ts: takes pieces of JSON-lines files (whole lines),
 * parses and normalises them as `decodeRecords` does, and posts back the packed records with what the
 * piece met, its problems numbered from the piece's first line. Pieces are done one at a time, in the
 * order they came, so the packed value table stays in step with the unpacker on the other side.
 */
import { parentPort } from "node:worker_threads";
import { decodePiece } from "./files.js";
import type { ParseJob, ParseResult } from "./parallelFiles.js";
import { RecordPacker } from "./recordBatch.js";

const port = parentPort!;
const packer = new RecordPacker();
let queue = Promise.resolve();

async function parse(job: ParseJob): Promise<Exclude<ParseResult, { error: string }>> {
  const { report, lines } = await decodePiece(job.bytes, job.source, (record) => packer.add(record));
  return { packed: packer.take(), report, lines };
}

port.on("message", (job: ParseJob) => {
  queue = queue.then(async () => {
    try {
      const result = await parse(job);
      port.postMessage(result, [result.packed.ints.buffer as ArrayBuffer, result.packed.numbers.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ error: (error as Error).message } satisfies ParseResult);
    }
  });
});
