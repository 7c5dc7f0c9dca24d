/**
 * Blobs as files under one root folder: `<root>/<first two hex digits>/<key>`. A blob is written
 * to a temporary name and renamed into place once complete, so a reader never sees part of one.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { InvariantError, TandemError } from "@tandem/shared";
import { isBlobKey, type BlobKey, type BlobStore, type ByteRange, type StoredBlob } from "./blob-store.js";

const TMP = ".tmp";

export function uploadTooLarge(limitBytes: number): TandemError {
  return new TandemError("PayloadTooLarge", "UploadTooLarge", `File is too large: the upload limit is ${limitBytes} bytes.`);
}

/**
 * A request body is piped rather than handed to `pipeline`, which would destroy it (and with it
 * the connection) on failure: the caller drains it and still answers, e.g. 413. A body that ends
 * early (client gone) fails the store.
 */
function pipeFrom(source: Readable, into: Transform): void {
  const cut = () => {
    if (!source.readableEnded) into.destroy(new TandemError("BadRequest", "UploadIncomplete", "The upload ended before its body was complete."));
  };
  source.once("error", cut).once("close", cut);
  into.once("close", () => {
    source.off("error", cut).off("close", cut);
    source.unpipe(into);
  });
  source.pipe(into);
}

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

  async put(key: BlobKey, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limitBytes: number): Promise<StoredBlob> {
    const target = this.#path(key);
    const shard = join(this.#root, key.slice(0, 2));
    const tmpDir = join(this.#root, TMP);
    await this.#ensureDir(tmpDir);
    const tmp = join(tmpDir, `${key}.${randomBytes(6).toString("hex")}`);
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limitBytes) return done(uploadTooLarge(limitBytes));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      const out = createWriteStream(tmp, { flags: "wx" });
      if (source instanceof Readable) {
        pipeFrom(source, meter);
        await pipeline(meter, out);
      } else {
        await pipeline(Readable.from(source, { objectMode: false }), meter, out);
      }
      await this.#ensureDir(shard);
      await rename(tmp, target);
      return { size, sha256: hash.digest() };
    } catch (e) {
      await rm(tmp, { force: true });
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
