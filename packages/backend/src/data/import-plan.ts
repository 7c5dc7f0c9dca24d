/**
 * What an import will do to the database, and the writes that do it. `previewImport` counts
 * (for the confirmation message) and refuses a non-empty table in `requireEmpty` mode;
 * `buildImport` produces every write of the import for one atomic commit, after checking each
 * document against the limits and the live schema.
 *
 * `_id`/`_creationTime` carried by the rows (a snapshot zip, or JSONL written by `convex data`)
 * are kept; an id minted for another deployment's table number is re-encoded with this
 * deployment's number (same 16 random bytes) and every reference to it is rewritten.
 */
import { isTandemError } from "@tandem/shared";
import { badRequest, type BackendErrorCode } from "../errors.js";
import {
  decodeId,
  encodeId,
  isSystemTableName,
  type ConvexJSON,
  type DocumentId,
  type DocumentJSON,
  type DocumentWrite,
  type Storage,
} from "@tandem/storage";
import { checkDocumentLimits } from "../values/index.js";
import type { ImportRow, ImportUnit } from "./import-parse.js";
import { allDocuments, countDocuments } from "../deploy/schema-job.js";
import type { StoredBlob } from "../files/blob-store.js";
import { storageDocument } from "../files/storage-doc.js";

export type ImportMode = "requireEmpty" | "append" | "replace" | "replaceAll";
export const IMPORT_MODES: readonly ImportMode[] = ["requireEmpty", "append", "replace", "replaceAll"];

/** Schema enforcement as mutations get it: throws a `SchemaViolation` `TandemError`. */
export type DocumentCheck = (table: string, doc: DocumentJSON) => void;

export interface TableChange {
  readonly table: string;
  readonly create: number;
  readonly delete: number;
  readonly existing: number;
}

/** Stores a file's bytes under its storage id (before the rows are committed). */
export type PutFile = (id: DocumentId, bytes: Uint8Array) => Promise<StoredBlob>;

export interface BuiltImport {
  readonly writes: DocumentWrite[];
  readonly rowsWritten: number;
  /** Tables this import created (dropped again when the commit fails). */
  readonly createdTables: string[];
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** File storage's table: importable from a snapshot zip (its rows come with their files). */
const STORAGE_TABLE = "_storage";

export function checkImportTableName(table: string): void {
  if (!TABLE_NAME.test(table) && table !== STORAGE_TABLE)
    throw badRequest(
      "InvalidTableName",
      `Invalid table name ${JSON.stringify(table)}: use letters, digits and underscores, starting with a letter (at most 64 characters).`,
    );
}

function userTables(storage: Storage): string[] {
  return storage
    .tables()
    .filter((t) => !isSystemTableName(t.name))
    .map((t) => t.name);
}

const exists = (storage: Storage, table: string) => storage.tables().some((t) => t.name === table);

/** Tables the import clears: every imported table (`replace`), or every user table (`replaceAll`). */
function clearedTables(storage: Storage, units: readonly ImportUnit[], mode: ImportMode): string[] {
  switch (mode) {
    case "requireEmpty":
    case "append":
      return [];
    case "replace":
      return units.map((u) => u.table);
    case "replaceAll":
      return [...new Set([...userTables(storage), ...units.map((u) => u.table)])];
    default:
      return mode satisfies never;
  }
}

export async function previewImport(
  storage: Storage,
  units: readonly ImportUnit[],
  mode: ImportMode,
): Promise<TableChange[]> {
  const cleared = new Set(clearedTables(storage, units, mode));
  const tables = [...new Set([...units.map((u) => u.table), ...cleared])].sort();
  const changes: TableChange[] = [];
  for (const table of tables) {
    checkImportTableName(table);
    const existing = exists(storage, table) ? await countDocuments(storage, table) : 0;
    const create = units.filter((u) => u.table === table).reduce((n, u) => n + u.rows.length, 0);
    if (mode === "requireEmpty" && existing > 0 && create > 0)
      throw badRequest(
        "ImportTableNotEmpty",
        `Table "${table}" already has ${existing} document${existing === 1 ? "" : "s"}. ` +
          "Use --append to add the imported ones, or --replace to replace them.",
      );
    changes.push({ table, create, delete: cleared.has(table) ? existing : 0, existing });
  }
  return changes;
}

/** The "Import change summary" the CLI prints before it confirms. */
export function changeSummary(changes: readonly TableChange[]): string {
  const rows = [
    ["table", "create", "delete"],
    ...changes.map((c) => [c.table, String(c.create), `${c.delete} of ${c.existing}`]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ") + " |";
  return [
    "Import change summary:",
    line(rows[0]!),
    "-".repeat(line(rows[0]!).length),
    ...rows.slice(1).map(line),
    "Once the import has started, it will run in the background.",
    "Interrupting `npx convex import` will not cancel it.",
  ].join("\n");
}

export async function buildImport(
  storage: Storage,
  units: readonly ImportUnit[],
  mode: ImportMode,
  check: DocumentCheck,
  putFile: PutFile,
): Promise<BuiltImport> {
  await previewImport(storage, units, mode);
  const createdTables: string[] = [];
  try {
    const numbers = new Map<string, number>();
    for (const u of units) {
      if (!exists(storage, u.table)) createdTables.push(u.table);
      numbers.set(u.table, (await storage.ensureTable(u.table, sourceNumber(u))).number);
    }
    const writes = new Map<string, DocumentWrite>();
    for (const table of clearedTables(storage, units, mode)) {
      if (!exists(storage, table)) continue;
      for await (const doc of allDocuments(storage, table))
        writes.set(doc._id, { id: doc._id as DocumentId, table, value: null });
    }
    const docs = assignSystemFields(units, numbers, storage);
    const snapshot = storage.snapshot();
    const files = units.find((u) => u.table === STORAGE_TABLE)?.files ?? new Map<string, Uint8Array>();
    const pending: Array<{ doc: DocumentJSON; where: string; bytes: Uint8Array; sourceId: string }> = [];
    for (const { table, where, doc, sourceId } of docs) {
      const limit = checkDocumentLimits(doc);
      if (limit) throw badRequest("ImportInvalidDocument", `${where}: ${limit.message}`);
      if (table === STORAGE_TABLE) pending.push({ doc, where, sourceId, bytes: fileOf(files, sourceId, where) });
      else
        try {
          check(table, doc);
        } catch (e) {
          // The document check's errors are the backend's own (schema violations).
          if (isTandemError(e)) throw badRequest(e.code as BackendErrorCode, `${where}: ${e.message}`);
          throw e;
        }
      const prior = writes.get(doc._id);
      if (prior?.value)
        throw badRequest("ImportDuplicateId", `${where}: the _id ${doc._id} appears twice in the import.`);
      if (!prior && (await snapshot.get(doc._id as DocumentId)))
        throw badRequest(
          "ImportDuplicateId",
          `${where}: a document with _id ${doc._id} already exists in table "${table}".`,
        );
      writes.set(doc._id, { id: doc._id as DocumentId, table, value: doc });
    }
    // Last, once every row passed: the bytes. If the commit then fails, the file sweeper
    // removes them (bytes without a row).
    for (const p of pending) {
      const id = p.doc._id as DocumentId;
      writes.set(id, { id, table: STORAGE_TABLE, value: storedFile(p.doc, p.where, await putFile(id, p.bytes)) });
    }
    return { writes: [...writes.values()], rowsWritten: docs.length, createdTables };
  } catch (e) {
    await dropTables(storage, createdTables);
    throw e;
  }
}

export async function dropTables(storage: Storage, tables: readonly string[]): Promise<void> {
  for (const t of tables) await storage.dropTable?.(t).catch(() => {});
}

interface PlacedDoc {
  readonly table: string;
  readonly where: string;
  readonly doc: DocumentJSON;
  /** The `_id` the row carried (files in the zip are named by it), or the minted one. */
  readonly sourceId: string;
}

/** The number the table had where the rows come from: the zip's `_tables`, else the first row's id. */
function sourceNumber(u: ImportUnit): number | undefined {
  if (u.tableNumber !== undefined) return u.tableNumber;
  const id = u.rows[0]?.value._id;
  return typeof id === "string" ? decodeId(id)?.tableNumber : undefined;
}

function fileOf(files: ReadonlyMap<string, Uint8Array>, id: string, where: string): Uint8Array {
  const bytes = files.get(id);
  if (!bytes)
    throw badRequest(
      "ImportInvalidDocument",
      `${where}: the zip has no file _storage/${id} for this row (export with --include-file-storage).`,
    );
  return bytes;
}

/** The `_storage` row as the backend writes it, from the bytes; a carried digest must match them. */
function storedFile(row: DocumentJSON, where: string, blob: StoredBlob): DocumentJSON {
  const sha = blob.sha256.toString("base64");
  if (row.sha256 !== undefined && row.sha256 !== sha && row.sha256 !== blob.sha256.toString("hex"))
    throw badRequest(
      "ImportInvalidDocument",
      `${where}: the file's bytes do not match its sha256 ${String(row.sha256)}.`,
    );
  const contentType = typeof row.contentType === "string" ? row.contentType : null;
  return storageDocument(row._id as DocumentId, row._creationTime, blob, contentType);
}

/** Keeps or re-encodes carried ids, mints the rest, and rewrites references to re-encoded ids. */
function assignSystemFields(
  units: readonly ImportUnit[],
  numbers: ReadonlyMap<string, number>,
  storage: Storage,
): PlacedDoc[] {
  const renamed = new Map<string, string>();
  const placed: PlacedDoc[] = [];
  let fresh = Date.now();
  for (const u of units) {
    const tableNumber = numbers.get(u.table)!;
    for (const r of u.rows) {
      const id = carriedId(r, tableNumber, renamed) ?? storage.newId(u.table);
      const created = r.value._creationTime;
      if (created !== undefined && (typeof created !== "number" || !Number.isFinite(created)))
        throw badRequest("ImportInvalidDocument", `${r.where}: _creationTime must be a number.`);
      fresh += 0.001;
      placed.push({
        table: u.table,
        where: r.where,
        doc: { ...r.value, _id: id, _creationTime: created ?? fresh } as DocumentJSON,
        sourceId: typeof r.value._id === "string" ? r.value._id : id,
      });
    }
  }
  if (renamed.size === 0) return placed;
  return placed.map((p) => ({ ...p, doc: rewriteIds(p.doc, renamed) as DocumentJSON }));
}

function carriedId(r: ImportRow, tableNumber: number, renamed: Map<string, string>): string | null {
  const id = r.value._id;
  if (id === undefined) return null;
  const decoded = typeof id === "string" ? decodeId(id) : null;
  if (!decoded)
    throw badRequest("ImportInvalidDocument", `${r.where}: _id ${JSON.stringify(id)} is not a document id.`);
  if (decoded.tableNumber === tableNumber) return id as string;
  const mapped = encodeId(tableNumber, decoded.internalId);
  renamed.set(id as string, mapped);
  return mapped;
}

function rewriteIds(value: ConvexJSON, renamed: ReadonlyMap<string, string>): ConvexJSON {
  if (typeof value === "string") return renamed.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => rewriteIds(v, renamed));
  if (value !== null && typeof value === "object") {
    const out: { [k: string]: ConvexJSON } = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteIds(v, renamed);
    return out;
  }
  return value;
}
