/**
 * @module Where reports and snapshots are kept: a folder (the CLI, `npm start`) or a blob container (the
 * functions). Names are relative paths with `/`; a blob's is its name, a file's is under the folder.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ContainerClient } from "@azure/storage-blob";

export interface ReportStore {
  /** Names under a prefix ("snapshots/all/"). */
  list(prefix: string): Promise<string[]>;
  read(name: string): Promise<string>;
  /** Writes and returns where it went: a file path or a blob URL. */
  write(name: string, body: string | Buffer, contentType: string): Promise<string>;
}

export class FolderStore implements ReportStore {
  constructor(readonly dir: string) {}

  async list(prefix: string): Promise<string[]> {
    const folder = join(this.dir, dirname(`${prefix}x`));
    try {
      const names = await readdir(folder);
      return names.map((n) => `${dirname(`${prefix}x`)}/${n}`.replace(/^\.\//, "")).filter((n) => n.startsWith(prefix));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }

  read(name: string): Promise<string> {
    return readFile(join(this.dir, name), "utf8");
  }

  async write(name: string, body: string | Buffer): Promise<string> {
    const path = join(this.dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    return path;
  }
}

export class BlobStore implements ReportStore {
  private created: Promise<unknown> | undefined;

  constructor(readonly container: ContainerClient) {}

  private ensure(): Promise<unknown> {
    this.created ??= this.container.createIfNotExists();
    return this.created;
  }

  async list(prefix: string): Promise<string[]> {
    await this.ensure();
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
  }

  async read(name: string): Promise<string> {
    return (await this.container.getBlobClient(name).downloadToBuffer()).toString("utf8");
  }

  async write(name: string, body: string | Buffer, contentType: string): Promise<string> {
    await this.ensure();
    const blob = this.container.getBlockBlobClient(name);
    const data = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    await blob.uploadData(data, { blobHTTPHeaders: { blobContentType: contentType } });
    return blob.url;
  }
}
