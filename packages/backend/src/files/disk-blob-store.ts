/**
 * Blobs as files under one root folder: `<root>/<first two hex digits>/<key>`. A blob is written in
 * place (keys are fresh ids, never reused): no `_storage` row names it before it is complete, so
 * nothing serves part of one, and a failed write removes it.
 */
import { createReadStream } from "node:fs";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { InvariantError } from "@tandem/shared";
import { writeHashed } from "./spool.js";
import { isBlobKey, type BlobKey, type BlobStore, type ByteRange, type StoredBlob } from "./blob-store.js";

export class DiskBlobStore implements BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  #path(key: BlobKey): string {
    // Keys come from validated ids; this check keeps that promise even if a caller breaks it.
    if (!isBlobKey(key)) throw new InvariantError(`not a blob key: ${JSON.stringify(key)}`);
    return join(this.#root, key.slice(0, 2), key);
  }

  async put(
    key: BlobKey,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    limitBytes: number,
  ): Promise<StoredBlob> {
    const target = this.#path(key);
    await this.#ensureDir(join(this.#root, key.slice(0, 2)));
    try {
      return await writeHashed(source, target, limitBytes);
    } catch (e) {
      await rm(target, { force: true });
      throw e;
    }
  }

  /** Folders made so far: one `mkdir` per folder per process, not one per blob. */
  readonly #dirs = new Set<string>();

  async #ensureDir(dir: string): Promise<void> {
    if (this.#dirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.#dirs.add(dir);
  }

  async open(key: BlobKey, range?: ByteRange): Promise<Readable | null> {
    const path = this.#path(key);
    const stream = createReadStream(path, range ? { start: range.start, end: range.end } : {});
    // Resolve only once the file is open, so "not there" is a null and not a stream error.
    return new Promise((resolve, reject) => {
      stream.once("open", () => resolve(stream));
      stream.once("error", (e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? resolve(null) : reject(e)));
    });
  }

  async read(key: BlobKey): Promise<Buffer | null> {
    try {
      return await readFile(this.#path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  async delete(key: BlobKey): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async *list(): AsyncIterable<{ key: BlobKey; writtenMs: number }> {
    let shards: string[];
    try {
      shards = await readdir(this.#root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(join(this.#root, shard)).catch(() => [] as string[])) {
        if (!isBlobKey(name) || !name.startsWith(shard)) continue;
        const s = await stat(join(this.#root, shard, name)).catch(() => null);
        if (s) yield { key: name, writtenMs: s.mtimeMs };
      }
    }
  }
}
