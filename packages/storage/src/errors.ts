/**
 * The closed set of error codes storage throws as `TandemError`s: data or input failures a caller
 * can act on, and writing through a read-only connection (`ReadOnlyStorage`, 403). Other misuse
 * of the API (wrong types, a closed connection) is a `TypeError`; a broken invariant of our own
 * an `InvariantError`.
 */
import { TandemError, type ErrorKind } from "@tandem/shared";

export type StorageErrorCode =
  | "TableNotFound"
  | "IndexNotFound"
  | "InvalidTableName"
  | "InvalidIndexName"
  | "InvalidIndexFields"
  | "IndexExists"
  | "SystemIndex"
  | "IdTableMismatch"
  | "InvalidDocument"
  | "InvalidIndexRange"
  | "TimestampInFuture"
  /** Another connection committed between a commit's read of the head and its write. */
  | "HeadMoved"
  | "ReadOnlyStorage"
  // The machine refused a write (sqlite/io-errors.ts): 503, the write was rolled back.
  | "StorageFull"
  | "StorageReadOnly"
  | "StorageIoError";

export function storageError(kind: ErrorKind, code: StorageErrorCode, message: string): TandemError<StorageErrorCode> {
  return new TandemError(kind, code, message);
}
