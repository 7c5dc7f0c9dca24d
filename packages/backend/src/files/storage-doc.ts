/** The `_storage` document of a file and what the storage syscalls report about it (docs/semantics.md#file-storage). */
import { badRequest } from "../errors.js";
import type { DocumentId, DocumentJSON } from "@tandem/storage";
import type { StoredBlob } from "./blob-store.js";

export interface FileMetadata {
  readonly storageId: string;
  /** Hex, as the deprecated `storage.getMetadata()` reports it (the table holds base64). */
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string | null;
}

export function storageDocument(
  id: DocumentId,
  creationTime: number,
  blob: StoredBlob,
  contentType: string | null,
): DocumentJSON {
  const doc: DocumentJSON = {
    _id: id,
    _creationTime: creationTime,
    sha256: blob.sha256.toString("base64"),
    size: blob.size,
  };
  // `contentType` is `v.optional(v.string())`: omitted when unknown, never null.
  if (contentType) doc.contentType = contentType;
  return doc;
}

export function metadataOf(doc: DocumentJSON): FileMetadata {
  return {
    storageId: doc._id,
    sha256: Buffer.from(String(doc.sha256), "base64").toString("hex"),
    size: Number(doc.size),
    contentType: typeof doc.contentType === "string" ? doc.contentType : null,
  };
}

export function fileUrl(cloudUrl: string, id: string): string {
  return `${cloudUrl.replace(/\/+$/, "")}/api/storage/${id}`;
}

export function uploadUrl(cloudUrl: string, token: string): string {
  return `${cloudUrl.replace(/\/+$/, "")}/api/storage/upload?token=${encodeURIComponent(token)}`;
}

/** An optional expected SHA-256 (hex or base64, as apps pass it) checked against the bytes. */
export function checkSha256(expected: unknown, actual: Buffer): void {
  if (expected === undefined || expected === null || expected === "") return;
  if (typeof expected !== "string") throw badRequest("InvalidSha256", "The sha256 option must be a string.");
  const given = /^[0-9a-fA-F]{64}$/.test(expected) ? Buffer.from(expected, "hex") : Buffer.from(expected, "base64");
  if (!given.equals(actual))
    throw badRequest(
      "Sha256Mismatch",
      `The file's SHA-256 digest ${actual.toString("base64")} does not match the one given (${expected.slice(0, 64)}).`,
    );
}

export function storageIdNotFound(id: string): Error {
  return badRequest("StorageIdNotFound", `Storage ID "${id}" not found.`);
}
