/** Table, index and field-path rules (docs/semantics.md#values-and-ids). */
import { storageError } from "../errors.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const BUILTIN_INDEXES = [
  { name: "by_id", fields: ["_id"] },
  { name: "by_creation_time", fields: ["_creationTime", "_id"] },
] as const;

/** User tables are numbered from 10001; system tables (`_name`) below that (docs/semantics.md#system-tables). */
export const USER_TABLE_NUMBERS = { min: 10001, max: 0xffffffff } as const;
export const SYSTEM_TABLE_NUMBERS = { min: 513, max: 10000 } as const;

function isIdentifier(name: string): boolean {
  return name.length <= 64 && IDENTIFIER.test(name) && !/^_+$/.test(name);
}

export function isSystemTableName(name: string): boolean {
  return name.startsWith("_");
}

export function checkTableName(name: string): void {
  if (typeof name !== "string" || !isIdentifier(name))
    throw storageError("BadRequest", "InvalidTableName", `Invalid table name: ${JSON.stringify(name)}`);
}

export function isBuiltinIndex(name: string): boolean {
  return BUILTIN_INDEXES.some((b) => b.name === name);
}

/** Index fields must end in `_id` so that every key belongs to exactly one document. */
export function checkIndex(name: string, fields: readonly string[]): void {
  if (typeof name !== "string" || !isIdentifier(name))
    throw storageError("BadRequest", "InvalidIndexName", `Invalid index name: ${JSON.stringify(name)}`);
  const ok =
    Array.isArray(fields) &&
    fields.length > 0 &&
    fields[fields.length - 1] === "_id" &&
    fields.every((f) => typeof f === "string" && f.split(".").every((part) => part.length > 0));
  if (!ok)
    throw storageError(
      "BadRequest",
      "InvalidIndexFields",
      `Index ${name} must list non-empty field paths ending in "_id", got ${JSON.stringify(fields)}`,
    );
}
