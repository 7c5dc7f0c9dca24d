/**
 * Storage ids are `_storage` document ids (docs/semantics.md#file-storage). Every id that reaches the blob store
 * passes through here: it must decode as a canonical document id of the `_storage` table, and its
 * blob key is the hex of the id's random part, so request text never becomes a path.
 */
import { badRequest } from "../errors.js";
import { decodeId, type DocumentId, type TableInfo, type TableNumber } from "@tandem/storage";
import type { BlobKey } from "./blob-store.js";

export const STORAGE_TABLE = "_storage";

export interface StorageRef {
  readonly id: DocumentId;
  readonly key: BlobKey;
}

export type TableLookup = (n: TableNumber) => TableInfo | undefined;

function show(value: unknown): string {
  const s = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}

export function blobKeyOf(id: DocumentId): BlobKey {
  const decoded = decodeId(id);
  if (!decoded) throw badRequest("InvalidStorageId", `Invalid storage ID ${show(id)}.`);
  return Buffer.from(decoded.internalId).toString("hex") as BlobKey;
}

/**
 * The id of a stored file, or `null` when it is well-formed but cannot name one (no `_storage`
 * table yet). Anything else throws `InvalidStorageId` naming the operation.
 */
export function parseStorageId(value: unknown, op: string, tableOf: TableLookup): StorageRef | null {
  if (typeof value !== "string")
    throw badRequest(
      "InvalidStorageId",
      `Invalid argument \`storageId\` for \`${op}\`: expected a string, got ${show(value)}.`,
    );
  const decoded = decodeId(value);
  if (!decoded)
    throw badRequest(
      "InvalidStorageId",
      `Invalid argument \`storageId\` for \`${op}\`: ${show(value)} is not a valid storage ID (an Id<"_storage">).`,
    );
  const table = tableOf(decoded.tableNumber);
  if (!table) return null;
  if (table.name !== STORAGE_TABLE)
    throw badRequest(
      "InvalidStorageId",
      `Invalid argument \`storageId\` for \`${op}\`: expected an ID of table "_storage" but got an ID of table "${table.name}".`,
    );
  return { id: value as DocumentId, key: Buffer.from(decoded.internalId).toString("hex") as BlobKey };
}
