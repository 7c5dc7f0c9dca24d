/**
 * `ctx.storage` syscalls (docs/architecture.md#syscalls). Queries and mutations read and write `_storage` through
 * their transaction, so `getUrl` is reactive and a mutation's `store`/`delete` commit with it (a
 * mutation that throws leaves no row; its bytes are removed later by the sweeper). Actions have no
 * transaction: they hand each call to the engine's thread (`EngineCallbacks.storage`).
 */
import { badRequest } from "../errors.js";
import type { ConvexJSON, DocumentJSON } from "@tandem/storage";
import type { Transaction } from "../transactions/transaction.js";
import type { FunctionKind } from "../engine/types.js";
import { uploadTooLarge } from "./spool.js";
import type { FileAccess, StorageCall, StorageCallResult } from "./file-access.js";
import { parseStorageId, STORAGE_TABLE, type StorageRef } from "./storage-id.js";
import { checkSha256, fileUrl, metadataOf, storageDocument, storageIdNotFound, uploadUrl } from "./storage-doc.js";

export interface StorageSyscallContext {
  readonly kind: FunctionKind;
  readonly tx: Transaction | null;
  readonly files: FileAccess | null;
  readonly cloudUrl: string;
  /** Actions only: the engine's side of `ctx.storage`. */
  readonly call: ((c: StorageCall) => Promise<StorageCallResult>) | null;
}

const OPS: Record<string, string> = {
  "1.0/storageGetUrl": "storage.getUrl",
  "1.0/storageGetMetadata": "storage.getMetadata",
  "1.0/storageGenerateUploadUrl": "storage.generateUploadUrl",
  "1.0/storageDelete": "storage.delete",
  "1.0/storageStore": "storage.store",
  "1.0/storageGet": "storage.get",
};

export function isStorageSyscall(op: string): boolean {
  return op in OPS;
}

function unavailable(): never {
  throw badRequest("FileStorageUnavailable", "File storage is not configured on this backend.");
}

async function viaEngine(c: StorageSyscallContext, call: StorageCall): Promise<unknown> {
  if (!c.call) unavailable();
  const r = await c.call(call);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

export async function storageSyscall(
  c: StorageSyscallContext,
  op: string,
  args: Record<string, ConvexJSON>,
): Promise<unknown> {
  const name = OPS[op] ?? op;
  if (c.kind === "action") {
    switch (op) {
      case "1.0/storageGetUrl":
        return viaEngine(c, { op: "getUrl", storageId: args.storageId });
      case "1.0/storageGetMetadata":
        return viaEngine(c, { op: "getMetadata", storageId: args.storageId });
      case "1.0/storageGenerateUploadUrl":
        return viaEngine(c, { op: "generateUploadUrl" });
      case "1.0/storageDelete":
        return viaEngine(c, { op: "delete", storageId: args.storageId });
      default:
        throw new Error(`Unknown async operation ${op}`);
    }
  }
  const tx = c.tx;
  if (!tx) throw new Error(`${name} needs a transaction.`);
  const files = c.files ?? unavailable();
  const find = async (): Promise<{ ref: StorageRef; doc: DocumentJSON } | null> => {
    const ref = parseStorageId(args.storageId, name, (n) => tx.catalog.tableByNumber(n));
    if (!ref) return null;
    const doc = await tx.get(ref.id, STORAGE_TABLE);
    return doc ? { ref, doc } : null;
  };
  const writable = () => {
    if (c.kind !== "mutation") throw badRequest("InvalidStorageCall", `${name} is not available in queries.`);
  };
  switch (op) {
    case "1.0/storageGetUrl": {
      const found = await find();
      return found ? fileUrl(c.cloudUrl, found.ref.id) : null;
    }
    case "1.0/storageGetMetadata": {
      const found = await find();
      return found ? metadataOf(found.doc) : null;
    }
    case "1.0/storageGenerateUploadUrl":
      writable();
      return uploadUrl(c.cloudUrl, files.tokens.issue());
    case "1.0/storageDelete": {
      writable();
      const found = await find();
      if (!found) throw storageIdNotFound(String(args.storageId));
      await tx.write(found.ref.id, STORAGE_TABLE, null, found.doc);
      return null;
    }
    case "1.0/storageGet": {
      writable();
      const found = await find();
      if (!found) return null;
      const bytes = await files.blobs.read(found.ref.key);
      if (!bytes) return null;
      return { blob: bytes.toString("base64"), contentType: metadataOf(found.doc).contentType };
    }
    case "1.0/storageStore": {
      writable();
      if (typeof args.blob !== "string") throw badRequest("InvalidArgument", "storage.store expects a Blob.");
      const bytes = Buffer.from(args.blob, "base64");
      if (bytes.length > files.limitBytes) throw uploadTooLarge(files.limitBytes);
      await tx.catalog.ensureTable(STORAGE_TABLE);
      const id = tx.catalog.newId(STORAGE_TABLE);
      const ref = parseStorageId(id, name, (n) => tx.catalog.tableByNumber(n))!;
      const stored = await files.blobs.put(ref.key, [bytes], files.limitBytes);
      checkSha256(args.sha256, stored.sha256);
      const contentType = typeof args.contentType === "string" && args.contentType !== "" ? args.contentType : null;
      await tx.write(id, STORAGE_TABLE, storageDocument(id, tx.nextCreationTime(), stored, contentType), null);
      return id;
    }
    default:
      throw new Error(`Unknown async operation ${op}`);
  }
}

/** `storage/storeBlob` and `storage/getBlob`: actions' `ctx.storage.store/get` (Blobs in and out). */
export async function storageJsSyscall(
  c: StorageSyscallContext,
  op: string,
  args: Record<string, unknown>,
): Promise<unknown> {
  if (c.kind !== "action") throw new Error(`Unknown operation ${op}`);
  switch (op) {
    case "storage/storeBlob": {
      const blob = args.blob as Blob;
      if (!(blob instanceof Blob)) throw new Error("store() expects a Blob.");
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const options = (args.options ?? {}) as { sha256?: unknown };
      return viaEngine(c, { op: "storeBlob", bytes, contentType: blob.type, sha256: options.sha256 });
    }
    case "storage/getBlob": {
      const r = (await viaEngine(c, { op: "getBlob", storageId: args.storageId })) as {
        bytes: Uint8Array<ArrayBuffer>;
        contentType: string | null;
      } | null;
      return r === null ? null : new Blob([r.bytes], { type: r.contentType ?? "" });
    }
    default:
      throw new Error(`Unknown operation ${op}`);
  }
}
