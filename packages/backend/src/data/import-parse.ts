/**
 * Uploaded import bytes → documents per table, for the four formats the CLI sends
 * (`npm:cli/lib/convexImport.ts determineFormat`): `csv`, `jsonLines`, `jsonArray` (one table,
 * named by `--table`) and `zip` (a snapshot export: `<table>/documents.jsonl` per table, and
 * `_storage/` with the files when exported with `--include-file-storage`).
 * Every error names where in the file it is (line, element, or zip entry and line).
 */
import { type TandemError } from "@tandem/shared";
import { badRequest } from "../errors.js";
import type { ConvexJSON } from "@tandem/storage";
import { unzipSync } from "fflate";
import { jsonToConvex, type JSONValue } from "convex/values";
import { csvObjects } from "./csv.js";

export type ImportFormat = "csv" | "jsonLines" | "jsonArray" | "zip";
export const IMPORT_FORMATS: readonly ImportFormat[] = ["csv", "jsonLines", "jsonArray", "zip"];

export interface ImportRow {
  /** For messages: `line 3`, `element 4`, `tasks/documents.jsonl line 2`. */
  readonly where: string;
  readonly value: Record<string, ConvexJSON>;
}

export interface ImportUnit {
  readonly table: string;
  readonly rows: readonly ImportRow[];
  /** The table's number where the data came from (a snapshot's `_tables`). */
  readonly tableNumber?: number;
  /** `_storage` only: each file's bytes by storage id. */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

/** Zip entries may inflate to at most this much in total (a guard against zip bombs). */
export const MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024;

const parseError = (message: string): TandemError => badRequest("ImportParseError", message);

export function parseImport(format: ImportFormat, bytes: Uint8Array, table: string | null): ImportUnit[] {
  switch (format) {
    case "csv":
      return [{ table: single(table), rows: csvObjects(utf8(bytes)).map((r) => row(`line ${r.line}`, r.value)) }];
    case "jsonLines":
      return [{ table: single(table), rows: jsonLines(utf8(bytes), "") }];
    case "jsonArray":
      return [{ table: single(table), rows: jsonArray(utf8(bytes)) }];
    case "zip":
      return zipUnits(bytes);
    default:
      throw parseError(`Unknown import format ${JSON.stringify(format satisfies never)}.`);
  }
}

function single(table: string | null): string {
  if (table === null) throw badRequest("ImportTableRequired", "A table name is required for this import format.");
  return table;
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: false, ignoreBOM: false }).decode(bytes);
}

/** Checks the value is a well-formed Convex JSON object (`$integer` etc. decode, no `$` keys). */
function row(where: string, value: unknown): ImportRow {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw parseError(
      `${where}: expected a JSON object, found ${Array.isArray(value) ? "an array" : JSON.stringify(value)}.`,
    );
  try {
    jsonToConvex(value as JSONValue);
  } catch (e) {
    throw parseError(`${where}: not a valid Convex value: ${(e as Error).message}`);
  }
  return { where, value: value as Record<string, ConvexJSON> };
}

function jsonLines(text: string, prefix: string): ImportRow[] {
  const rows: ImportRow[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const where = `${prefix}line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw parseError(`${where} is not valid JSON: ${(e as Error).message}`);
    }
    rows.push(row(where, value));
  }
  return rows;
}

function jsonArray(text: string): ImportRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw parseError(`The file is not valid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(value)) throw parseError("A .json import must be an array of objects.");
  return value.map((v, i) => row(`element ${i}`, v));
}

const TABLE_ENTRY = /^([^/]+)\/documents\.jsonl$/;
/** `_storage/<id>` or `_storage/<id>.<ext>` (the export names files by id, with an extension by type). */
const STORAGE_FILE = /^_storage\/([^/.]+)(?:\.[^/]*)?$/;
const STORAGE_TABLE = "_storage";

/**
 * A snapshot zip: every user table's `<table>/documents.jsonl`, the table numbers in
 * `_tables/documents.jsonl` (kept where free, so ids stay the same), and file storage
 * (`_storage/documents.jsonl` and each file's bytes) when the export included it.
 */
function zipUnits(bytes: Uint8Array): ImportUnit[] {
  let inflated = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        const m = TABLE_ENTRY.exec(f.name);
        const wanted = m
          ? !m[1]!.startsWith("_") || m[1] === "_tables" || m[1] === STORAGE_TABLE
          : STORAGE_FILE.test(f.name);
        if (!wanted) return false;
        inflated += f.originalSize;
        if (inflated > MAX_UNZIPPED_BYTES)
          throw parseError(`The zip's tables and files inflate past ${MAX_UNZIPPED_BYTES} bytes.`);
        return true;
      },
    });
  } catch (e) {
    if ((e as TandemError).code === "ImportParseError") throw e;
    throw parseError(`The file is not a readable zip archive: ${(e as Error).message}`);
  }
  const numbers = tableNumbers(files["_tables/documents.jsonl"]);
  const names = Object.keys(files)
    .filter((n) => TABLE_ENTRY.test(n) && n !== "_tables/documents.jsonl")
    .sort();
  if (names.length === 0) throw parseError("The zip has no `<table>/documents.jsonl` entries.");
  return names.map((name) => {
    const table = TABLE_ENTRY.exec(name)![1]!;
    const rows = jsonLines(utf8(files[name]!), `${name} `);
    const tableNumber = numbers.get(table);
    const unit: ImportUnit = { table, rows, ...(tableNumber !== undefined ? { tableNumber } : {}) };
    if (table !== STORAGE_TABLE) return unit;
    const blobs = new Map<string, Uint8Array>();
    for (const [entry, data] of Object.entries(files)) {
      const m = STORAGE_FILE.exec(entry);
      if (m && entry !== name) blobs.set(m[1]!, data);
    }
    return { ...unit, files: blobs };
  });
}

/** `_tables/documents.jsonl`: `{"name", "id"}` per table. */
function tableNumbers(data: Uint8Array | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!data) return out;
  for (const r of jsonLines(utf8(data), "_tables/documents.jsonl ")) {
    const { name, id } = r.value;
    if (typeof name === "string" && typeof id === "number" && Number.isInteger(id)) out.set(name, id);
  }
  return out;
}
