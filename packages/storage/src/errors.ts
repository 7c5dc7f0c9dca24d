/**
 * The closed set of error codes storage throws as `TandemError`s (data or input failures a caller
 * can act on). Misuse of the API (wrong types, writing through a read-only connection) is a
 * `TypeError`.
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
  | "ReadOnlyStorage";

export function storageError(kind: ErrorKind, code: StorageErrorCode, message: string): TandemError {
  return new TandemError(kind, code, message);
}
