/**
 * What a function execution needs for `ctx.storage`: the blob store, the upload-token signer and
 * the upload limit. Function threads rebuild it from a cloneable config (`FilesThreadConfig`).
 */
import type { BlobStore, BlobStoreConfig } from "./blob-store.js";
import { DiskBlobStore } from "./disk-blob-store.js";
import { S3BlobStore } from "./s3-blob-store.js";
import { UploadTokens } from "./upload-token.js";

export interface FileAccess {
  readonly blobs: BlobStore;
  readonly tokens: UploadTokens;
  readonly limitBytes: number;
}

export interface FilesThreadConfig {
  readonly blobs: BlobStoreConfig;
  /** Upload-token HMAC key, hex. */
  readonly secret: string;
  readonly limitBytes: number;
}

export function openBlobStore(config: BlobStoreConfig): BlobStore {
  switch (config.kind) {
    case "disk":
      return new DiskBlobStore(config.root);
    case "s3":
      return new S3BlobStore(config);
    default:
      return config satisfies never;
  }
}

export function fileAccessFrom(config: FilesThreadConfig): FileAccess {
  return {
    blobs: openBlobStore(config.blobs),
    tokens: new UploadTokens(Buffer.from(config.secret, "hex")),
    limitBytes: config.limitBytes,
  };
}

/** `ctx.storage` in actions: served by the engine's thread (it commits `_storage` rows). */
export type StorageCall =
  | { readonly op: "getUrl" | "getMetadata" | "delete" | "getBlob"; readonly storageId: unknown }
  | { readonly op: "generateUploadUrl" }
  | { readonly op: "storeBlob"; readonly bytes: Uint8Array; readonly contentType: string; readonly sha256: unknown };

export type StorageCallResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };
