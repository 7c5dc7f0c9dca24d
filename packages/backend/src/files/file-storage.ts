/**
 * The engine-thread side of file storage: uploads from the HTTP endpoint, files served by id,
 * `ctx.storage` calls from actions, and a sweeper removing bytes no `_storage` row refers to
 * (deleted files and files stored by mutations that then failed).
 */
import { backendError } from "../errors.js";
import { TandemError, type Logger } from "@tandem/shared";
import { decodeIndexKey, encodeId, type DocumentId, type DocumentJSON, type Storage } from "@tandem/storage";
import type { CommitNotice, EngineAdmin, Engine } from "../engine/types.js";
import type { BlobKey, BlobStore, BlobStoreConfig } from "./blob-store.js";
import {
  openBlobStore,
  type FileAccess,
  type FilesThreadConfig,
  type StorageCall,
  type StorageCallResult,
} from "./file-access.js";
import { parseStorageId, STORAGE_TABLE, type StorageRef } from "./storage-id.js";
import { checkSha256, fileUrl, metadataOf, storageDocument, storageIdNotFound, uploadUrl } from "./storage-doc.js";
import { UploadTokens } from "./upload-token.js";

/** Bytes younger than this may belong to a commit still on its way; the sweeper leaves them. */
export const SWEEP_GRACE_MS = 5 * 60 * 1000;

export interface FileStorageOptions {
  readonly storage: Storage;
  readonly blobs: BlobStoreConfig;
  /** Upload-token HMAC key (32 bytes or more). */
  readonly secret: Buffer;
  readonly limitBytes: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

type EngineHooks = Pick<EngineAdmin, "commitExternal" | "catalogChanged"> & Pick<Engine, "onCommit">;

export class FileStorage {
  readonly access: FileAccess;
  readonly threadConfig: FilesThreadConfig;
  readonly #storage: Storage;
  readonly #log: Logger;
  readonly #now: () => number;
  #engine: EngineHooks | null = null;
  #cloudUrl = "";
  /** Keys written by uploads whose row is not committed yet. */
  readonly #inFlight = new Set<BlobKey>();
  #sweeping: Promise<number> | null = null;
  #sweepAgain = false;
  #lastCreation = 0;
  /** Keys seen with a committed row: when the row goes, the bytes go without waiting. */
  readonly #live = new Set<BlobKey>();
  #byIdIndex: number | null = null;

  constructor(options: FileStorageOptions) {
    this.#storage = options.storage;
    this.#log = options.logger;
    this.#now = options.now ?? Date.now;
    this.threadConfig = {
      blobs: options.blobs,
      secret: options.secret.toString("hex"),
      limitBytes: options.limitBytes,
    };
    this.access = {
      blobs: openBlobStore(options.blobs),
      tokens: new UploadTokens(options.secret, this.#now),
      limitBytes: options.limitBytes,
    };
  }

  get blobs(): BlobStore {
    return this.access.blobs;
  }

  /** Wires commits and the public origin in once the engine and the listener exist. */
  attach(engine: EngineHooks, cloudUrl: string): () => void {
    this.#engine = engine;
    this.#cloudUrl = cloudUrl;
    const stop = engine.onCommit((n) => this.#onCommit(n));
    const sweep = () =>
      void this.sweep().catch((e: unknown) => this.#log.warn("file sweep failed", { error: e as Error }));
    // Also periodically: bytes of a mutation that stored a file and then failed have no commit.
    const timer = setInterval(sweep, SWEEP_GRACE_MS).unref();
    sweep();
    return () => {
      stop();
      clearInterval(timer);
    };
  }

  #onCommit(notice: CommitNotice): void {
    if (notice.all || notice.writes.length === 0) return;
    // Every commit passes here: the `_storage` id index is looked up once it exists.
    this.#byIdIndex ??= this.#storage.indexes(STORAGE_TABLE).find((i) => i.name === "by_id")?.id ?? null;
    const byId = this.#byIdIndex;
    if (byId === null) return;
    const ids: string[] = [];
    for (const w of notice.writes) {
      if (w.index !== byId) continue;
      const id = decodeIndexKey(w.key)[0];
      if (typeof id === "string") ids.push(id);
    }
    // A `_storage` row that is gone after this commit was deleted (a mutation's
    // `storage.delete`): its bytes go now.
    if (ids.length > 0)
      void this.#dropDeleted(ids).catch((e: unknown) =>
        this.#log.warn("removing deleted files failed", { error: e as Error }),
      );
  }

  async #dropDeleted(ids: readonly string[]): Promise<void> {
    const snapshot = this.#storage.snapshot();
    for (const id of ids) {
      const ref = parseStorageId(id, "storage.delete", (n) => this.#storage.tableByNumber(n));
      if (!ref || this.#inFlight.has(ref.key) || (await snapshot.get(ref.id))) continue;
      this.#live.delete(ref.key);
      await this.access.blobs.delete(ref.key);
    }
  }

  #engineHooks(): EngineHooks {
    if (!this.#engine) throw backendError("Unavailable", "FileStorageStarting", "File storage is starting.");
    return this.#engine;
  }

  /** Looks a client-given id up at the latest commit (throws `InvalidStorageId` when malformed). */
  async find(value: unknown, op: string): Promise<{ ref: StorageRef; doc: DocumentJSON } | null> {
    const ref = parseStorageId(value, op, (n) => this.#storage.tableByNumber(n));
    if (!ref) return null;
    const stored = await this.#storage.snapshot().get(ref.id);
    return stored && stored.table === STORAGE_TABLE ? { ref, doc: stored.value } : null;
  }

  #creationTime(): number {
    // Milliseconds with a fraction, increasing: two files stored in the same ms still order.
    const t = Math.max(this.#now(), this.#lastCreation + 0.001);
    this.#lastCreation = t;
    return t;
  }

  /**
   * Stores the bytes and commits their `_storage` row; on any failure (too large, digest
   * mismatch, commit error) nothing is left behind.
   */
  async store(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    contentType: string | null,
    sha256?: unknown,
  ): Promise<DocumentId> {
    const engine = this.#engineHooks();
    if (!this.#storage.tables().some((t) => t.name === STORAGE_TABLE)) {
      await this.#storage.ensureTable(STORAGE_TABLE);
      engine.catalogChanged();
    }
    const id = this.#storage.newId(STORAGE_TABLE);
    const ref = parseStorageId(id, "storage.store", (n) => this.#storage.tableByNumber(n))!;
    this.#inFlight.add(ref.key);
    try {
      const blob = await this.access.blobs.put(ref.key, source, this.access.limitBytes);
      try {
        checkSha256(sha256, blob.sha256);
        await engine.commitExternal({
          writes: [{ id, table: STORAGE_TABLE, value: storageDocument(id, this.#creationTime(), blob, contentType) }],
        });
      } catch (e) {
        await this.access.blobs.delete(ref.key);
        throw e;
      }
      this.#live.add(ref.key);
      return id;
    } finally {
      this.#inFlight.delete(ref.key);
    }
  }

  /** Deletes the row, then the bytes. */
  async delete(value: unknown): Promise<void> {
    const found = await this.find(value, "storage.delete");
    if (!found) throw storageIdNotFound(String(value));
    await this.#engineHooks().commitExternal({ writes: [{ id: found.ref.id, table: STORAGE_TABLE, value: null }] });
    this.#live.delete(found.ref.key);
    await this.access.blobs.delete(found.ref.key);
  }

  /** `ctx.storage` in actions. Errors come back as messages (they cross a thread boundary). */
  async call(c: StorageCall): Promise<StorageCallResult> {
    try {
      return { ok: true, value: await this.#call(c) };
    } catch (e) {
      if (e instanceof TandemError) return { ok: false, message: e.message };
      this.#log.error("storage call failed", { error: e as Error });
      return { ok: false, message: "Server Error: file storage failed." };
    }
  }

  async #call(c: StorageCall): Promise<unknown> {
    switch (c.op) {
      case "getUrl": {
        const found = await this.find(c.storageId, "storage.getUrl");
        return found ? fileUrl(this.#cloudUrl, found.ref.id) : null;
      }
      case "getMetadata": {
        const found = await this.find(c.storageId, "storage.getMetadata");
        return found ? metadataOf(found.doc) : null;
      }
      case "generateUploadUrl":
        return uploadUrl(this.#cloudUrl, this.access.tokens.issue());
      case "delete":
        await this.delete(c.storageId);
        return null;
      case "getBlob": {
        const found = await this.find(c.storageId, "storage.get");
        const bytes = found ? await this.access.blobs.read(found.ref.key) : null;
        return found && bytes
          ? {
              bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
              contentType: metadataOf(found.doc).contentType,
            }
          : null;
      }
      case "storeBlob":
        return this.store([c.bytes], c.contentType === "" ? null : c.contentType, c.sha256);
      default:
        return c satisfies never;
    }
  }

  /**
   * Removes bytes without a `_storage` row, except recent ones (a mutation's `store` writes its
   * bytes before its commit). Runs one pass at a time; a request during a pass queues one more.
   */
  sweep(): Promise<number> {
    if (this.#sweeping) {
      this.#sweepAgain = true;
      return this.#sweeping;
    }
    const run = async (): Promise<number> => {
      let removed = 0;
      do {
        this.#sweepAgain = false;
        removed += await this.#sweepOnce();
      } while (this.#sweepAgain);
      return removed;
    };
    this.#sweeping = run().finally(() => (this.#sweeping = null));
    return this.#sweeping;
  }

  async #sweepOnce(): Promise<number> {
    const table = this.#storage.tables().find((t) => t.name === STORAGE_TABLE);
    const snapshot = this.#storage.snapshot();
    const cutoff = this.#now() - SWEEP_GRACE_MS;
    let removed = 0;
    for await (const { key, writtenMs } of this.access.blobs.list()) {
      if (this.#inFlight.has(key)) continue;
      const stored = table ? await snapshot.get(encodeId(table.number, Buffer.from(key, "hex"))) : null;
      if (stored) {
        this.#live.add(key);
        continue;
      }
      // A row seen before and gone now was deleted: its bytes go at once. Bytes that never had
      // a row seen go once past the grace period.
      if (!this.#live.delete(key) && writtenMs > cutoff) continue;
      await this.access.blobs.delete(key);
      removed += 1;
    }
    return removed;
  }
}
