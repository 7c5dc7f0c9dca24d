/**
 * `ctx.db` writes and point reads over a transaction (docs/architecture.md#syscalls): ids are checked to belong to
 * the table they are used with, system fields are managed here, and the error texts are Convex's.
 */
import { decodeId, type ConvexJSON, type DocumentId, type DocumentJSON } from "@tandem/storage";
import { badRequest } from "../errors.js";
import type { Transaction } from "../transactions/transaction.js";
import { LIMITS } from "../transactions/limits.js";
import { checkDocumentLimits } from "../values/index.js";

export type DocumentCheck = (table: string, doc: DocumentJSON) => void;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Resolves an id string to its table, or throws Convex's argument error. */
export function tableOfId(
  tx: Transaction,
  id: unknown,
  op: string,
  expectedTable?: string,
): { id: DocumentId; table: string } {
  if (typeof id !== "string")
    throw badRequest("InvalidArgument", `Invalid argument \`id\` for \`${op}\`: expected a string ID`);
  const decoded = decodeId(id);
  if (!decoded)
    throw badRequest(
      "InvalidArgument",
      `Invalid argument \`id\` for \`${op}\`: Unable to decode ID: Invalid ID "${id.slice(0, 64)}"`,
    );
  const table = tx.catalog.tableByNumber(decoded.tableNumber)?.name;
  if (!table)
    throw badRequest("InvalidArgument", `Invalid argument \`id\` for \`${op}\`: Table for ID "${id}" not found`);
  if (expectedTable !== undefined && expectedTable !== table)
    throw badRequest(
      "InvalidArgument",
      `Invalid argument \`id\` for \`${op}\`: expected an ID of table "${expectedTable}" but got an ID of table "${table}"`,
    );
  return { id: id as DocumentId, table };
}

export function checkUserTable(table: unknown, op: string): string {
  if (typeof table !== "string" || !TABLE_NAME.test(table) || /^_+$/.test(table))
    throw badRequest(
      "InvalidTableName",
      `Invalid argument \`table\` for \`${op}\`: ${JSON.stringify(table)} is not a valid table name`,
    );
  if (table.startsWith("_")) throw badRequest("SystemTableError", "System tables (prefixed with `_`) are read-only.");
  return table;
}

function checkFields(value: unknown, op: string): Record<string, ConvexJSON> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw badRequest("InvalidArgument", `Invalid argument \`value\` for \`${op}\`: expected an object`);
  const obj = value as Record<string, ConvexJSON>;
  for (const k of Object.keys(obj)) {
    if (k.startsWith("$")) throw badRequest("InvalidDocument", `Field name ${k} starts with a '$', which is reserved.`);
  }
  return obj;
}

/**
 * Size, nesting, field and array limits of a document written from a function (docs/semantics.md#limits).
 * Returns the document serialized (the commit stores that text).
 */
function checkSize(doc: DocumentJSON): string {
  const json = JSON.stringify(doc);
  const size = Buffer.byteLength(json);
  if (size > LIMITS.documentBytes)
    throw badRequest(
      "DocumentTooLarge",
      `Value is too large (${size} bytes > maximum size ${LIMITS.documentBytes} bytes).`,
    );
  const violation = checkDocumentLimits(doc);
  if (violation) throw badRequest(violation.code, violation.message);
  return json;
}

function userFields(obj: Record<string, ConvexJSON>, op: string): Record<string, ConvexJSON> {
  for (const k of Object.keys(obj)) {
    if (k === "_id" || k === "_creationTime") continue;
    if (k.startsWith("_"))
      throw badRequest(
        "InvalidDocument",
        `Field name ${k} starts with an underscore, which is reserved for system fields (${op}).`,
      );
  }
  return obj;
}

export async function insert(
  tx: Transaction,
  tableArg: unknown,
  value: unknown,
  check: DocumentCheck,
  /** The store's name for the table (a component's tables are namespaced). */
  toStorage: (table: string) => string = (t) => t,
): Promise<DocumentId> {
  const table = toStorage(checkUserTable(tableArg, "db.insert"));
  const fields = userFields(checkFields(value, "db.insert"), "db.insert");
  if ("_id" in fields || "_creationTime" in fields)
    throw badRequest(
      "InvalidDocument",
      "System fields `_id` and `_creationTime` are set by the database and may not be provided to db.insert.",
    );
  await tx.catalog.ensureTable(table);
  const id = tx.catalog.newId(table);
  const doc = { ...fields, _id: id, _creationTime: tx.nextCreationTime() } as DocumentJSON;
  const json = checkSize(doc);
  check(table, doc);
  await tx.write(id, table, doc, null, json);
  return id;
}

export async function patch(
  tx: Transaction,
  idArg: unknown,
  value: unknown,
  table: string | undefined,
  check: DocumentCheck,
): Promise<DocumentJSON> {
  const { id, table: t } = tableOfId(tx, idArg, "db.patch", table);
  const current = await tx.get(id, t);
  if (!current) throw badRequest("NonexistentDocument", `Update on nonexistent document ID ${id}`);
  const changes = checkFields(value, "db.patch");
  const next: Record<string, ConvexJSON> = { ...current };
  for (const [k, v] of Object.entries(changes)) {
    if (k === "_id" || k === "_creationTime") {
      if (JSON.stringify(v) !== JSON.stringify(current[k]))
        throw badRequest(
          "InvalidDocument",
          `Provided ${k} field "${JSON.stringify(v)}" does not match the document's (${JSON.stringify(current[k])}).`,
        );
      continue;
    }
    if (k.startsWith("_"))
      throw badRequest(
        "InvalidDocument",
        `Field name ${k} starts with an underscore, which is reserved for system fields.`,
      );
    if (isUndefinedMarker(v)) delete next[k];
    else next[k] = v;
  }
  const doc = next as DocumentJSON;
  const json = checkSize(doc);
  check(t, doc);
  await tx.write(id, t, doc, current, json);
  return doc;
}

export async function replace(
  tx: Transaction,
  idArg: unknown,
  value: unknown,
  table: string | undefined,
  check: DocumentCheck,
): Promise<DocumentJSON> {
  const { id, table: t } = tableOfId(tx, idArg, "db.replace", table);
  const current = await tx.get(id, t);
  if (!current) throw badRequest("NonexistentDocument", `Replace on nonexistent document ID ${id}`);
  const fields = userFields(checkFields(value, "db.replace"), "db.replace");
  for (const k of ["_id", "_creationTime"] as const) {
    if (k in fields && JSON.stringify(fields[k]) !== JSON.stringify(current[k]))
      throw badRequest("InvalidDocument", `Provided ${k} field does not match the document being replaced.`);
  }
  const doc = { ...fields, _id: current._id, _creationTime: current._creationTime } as DocumentJSON;
  const json = checkSize(doc);
  check(t, doc);
  await tx.write(id, t, doc, current, json);
  return doc;
}

export async function remove(tx: Transaction, idArg: unknown, table: string | undefined): Promise<DocumentJSON> {
  const { id, table: t } = tableOfId(tx, idArg, "db.delete", table);
  const current = await tx.get(id, t);
  if (!current) throw badRequest("NonexistentDocument", `Delete on nonexistent document ID ${id}`);
  await tx.write(id, t, null, current);
  return current;
}

function isUndefinedMarker(v: ConvexJSON): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "$undefined" in v;
}
