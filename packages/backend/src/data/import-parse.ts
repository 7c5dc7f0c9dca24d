/**
 * Uploaded import bytes → documents per table, for the four formats the CLI sends
 * (`npm:cli/lib/convexImport.ts determineFormat`): `csv`, `jsonLines`, `jsonArray` (one table,
 * named by `--table`) and `zip` (a snapshot export: `<table>/documents.jsonl` per table).
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

/** A snapshot zip: every `<table>/documents.jsonl` whose table is not a system one (`_tables`, `_storage`). */
function zipUnits(bytes: Uint8Array): ImportUnit[] {
  let inflated = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        const m = TABLE_ENTRY.exec(f.name);
        if (!m || m[1]!.startsWith("_")) return false;
        inflated += f.originalSize;
        if (inflated > MAX_UNZIPPED_BYTES)
          throw parseError(`The zip's tables inflate past ${MAX_UNZIPPED_BYTES} bytes.`);
        return true;
      },
    });
  } catch (e) {
    if ((e as TandemError).code === "ImportParseError") throw e;
    throw parseError(`The file is not a readable zip archive: ${(e as Error).message}`);
  }
  const names = Object.keys(files).sort();
  if (names.length === 0) throw parseError("The zip has no `<table>/documents.jsonl` entries.");
  return names.map((name) => ({ table: TABLE_ENTRY.exec(name)![1]!, rows: jsonLines(utf8(files[name]!), `${name} `) }));
}
