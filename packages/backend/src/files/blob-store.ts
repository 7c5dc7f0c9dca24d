/**
 * Where file bytes live. The `_storage` table holds each file's metadata; a `BlobStore` holds its
 * bytes under a `BlobKey`. Keys are made only from validated storage ids (see storage-id.ts), never
 * from request text, so no id can name a path outside the store.
 *
 * Two backends: a folder on disk (the default, disk-blob-store.ts) and an S3-compatible bucket
 * (s3-blob-store.ts).
 */
import type { Readable } from "node:stream";
import type { Brand } from "@tandem/shared";

/** 32 lowercase hex digits: the random part of a `_storage` document id. */
export type BlobKey = Brand<string, "BlobKey">;

const KEY = /^[0-9a-f]{32}$/;

export function isBlobKey(s: string): s is BlobKey {
  return KEY.test(s);
}

export interface StoredBlob {
  readonly size: number;
  /** SHA-256 of the bytes. */
  readonly sha256: Buffer;
}

/** An inclusive byte range, already checked against the blob's size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface BlobStore {
  /**
   * Streams `source` into the store under `key`. Past `limitBytes` it stops, stores nothing and
   * rejects with `PayloadTooLarge`; a failed write stores nothing either.
   */
  put(key: BlobKey, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limitBytes: number): Promise<StoredBlob>;
  /** The bytes (or one range of them), or `null` when nothing is stored under `key`. */
  open(key: BlobKey, range?: ByteRange): Promise<Readable | null>;
  /** Whole blob in memory (actions' `ctx.storage.get`, mutations' `storage.get`). */
  read(key: BlobKey): Promise<Buffer | null>;
  delete(key: BlobKey): Promise<void>;
  /** Every key with the time it was written (epoch ms), for removing blobs nothing refers to. */
  list(): AsyncIterable<{ key: BlobKey; writtenMs: number }>;
}

/** What a function thread needs to build its own `BlobStore` (it must be structured-cloneable). */
/** An S3-compatible bucket (s3-blob-store.ts). */
export interface S3Config {
  readonly kind: "s3";
  /** `https://s3.eu-west-1.amazonaws.com`, `http://127.0.0.1:9000`, … */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Prepended to every key, e.g. `tandem/files/`. */
  readonly prefix?: string;
  /** Local folder for bytes on their way to the bucket. */
  readonly spoolDir: string;
}

export type BlobStoreConfig = { readonly kind: "disk"; readonly root: string } | S3Config;
