/**
 * Index changes between what the store holds and what a pushed schema declares, in the CLI's
 * `developerIndexConfig` shape (`npm:cli/lib/deployApi/finishPush.ts`). Database indexes are
 * compared against the store (the source of truth); search and vector indexes, which the
 * store does not hold, against the live deployment's schema.
 */
import { badRequest } from "../errors.js";
import type { IndexInfo } from "@tandem/storage";
import type { SchemaJSON } from "../engine/deployment.js";

export type IndexConfig =
  | { name: string; type: "database"; fields: string[] }
  | { name: string; type: "search"; searchField: string; filterFields: string[] }
  | { name: string; type: "vector"; vectorField: string; dimensions: number; filterFields: string[] };

export interface IndexDiff {
  added_indexes: IndexConfig[];
  removed_indexes: IndexConfig[];
}

/** Every index gets `_creationTime, _id` appended so keys are unique and ordered by creation. */
const IMPLICIT_SUFFIX = ["_creationTime", "_id"] as const;
const SYSTEM_INDEXES = new Set(["by_id", "by_creation_time"]);

export function storageFields(userFields: readonly string[]): string[] {
  return [...userFields, ...IMPLICIT_SUFFIX];
}

export function userFields(info: IndexInfo): string[] {
  const f = [...info.fields];
  if (f.length >= 2 && f[f.length - 2] === "_creationTime" && f[f.length - 1] === "_id") return f.slice(0, -2);
  return f;
}

export function schemaIndexes(schema: SchemaJSON | null): IndexConfig[] {
  if (!schema) return [];
  const out: IndexConfig[] = [];
  for (const t of schema.tables) {
    for (const i of t.indexes)
      out.push({ name: `${t.tableName}.${i.indexDescriptor}`, type: "database", fields: [...i.fields] });
    for (const i of t.searchIndexes ?? []) {
      out.push({
        name: `${t.tableName}.${i.indexDescriptor}`,
        type: "search",
        searchField: i.searchField,
        filterFields: [...i.filterFields],
      });
    }
    for (const i of t.vectorIndexes ?? []) {
      out.push({
        name: `${t.tableName}.${i.indexDescriptor}`,
        type: "vector",
        vectorField: i.vectorField,
        dimensions: i.dimensions,
        filterFields: [...i.filterFields],
      });
    }
  }
  return out;
}

/** User-defined database indexes currently in the store. */
export function storedIndexes(indexes: readonly IndexInfo[]): IndexConfig[] {
  return (
    indexes
      // System tables' indexes (the scheduler's) are the server's, never the app's to diff or drop.
      .filter((i) => !SYSTEM_INDEXES.has(i.name) && !i.table.startsWith("_"))
      .map((i) => ({ name: `${i.table}.${i.name}`, type: "database" as const, fields: userFields(i) }))
  );
}

const same = (a: IndexConfig, b: IndexConfig) => JSON.stringify(a) === JSON.stringify(b);

export function diffIndexes(current: readonly IndexConfig[], next: readonly IndexConfig[]): IndexDiff {
  return {
    added_indexes: next.filter((n) => !current.some((c) => same(c, n))),
    removed_indexes: current.filter((c) => !next.some((n) => same(c, n))),
  };
}

/** The current indexes: database ones from the store, search/vector ones from the live schema. */
export function currentIndexes(stored: readonly IndexInfo[], liveSchema: SchemaJSON | null): IndexConfig[] {
  return [...storedIndexes(stored), ...schemaIndexes(liveSchema).filter((i) => i.type !== "database")];
}

const IDENT = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const MAX_INDEXES_PER_TABLE = 64;
const MAX_INDEX_FIELDS = 16;

/** Rejects schemas the store could not honour, with the table and index named. */
export function checkSchema(schema: SchemaJSON): void {
  const seen = new Set<string>();
  for (const t of schema.tables) {
    if (!IDENT.test(t.tableName)) {
      throw badRequest(
        "InvalidSchema",
        `Table name ${JSON.stringify(t.tableName)} must start with a letter and contain only letters, numbers and underscores.`,
      );
    }
    if (seen.has(t.tableName)) throw badRequest("InvalidSchema", `Table ${t.tableName} is defined twice.`);
    seen.add(t.tableName);
    const names = new Set<string>();
    if (t.indexes.length > MAX_INDEXES_PER_TABLE) {
      throw badRequest(
        "InvalidSchema",
        `Table ${t.tableName} has ${t.indexes.length} indexes; the limit is ${MAX_INDEXES_PER_TABLE}.`,
      );
    }
    for (const i of [...t.indexes, ...(t.searchIndexes ?? []), ...(t.vectorIndexes ?? [])]) {
      if (SYSTEM_INDEXES.has(i.indexDescriptor) || !IDENT.test(i.indexDescriptor)) {
        throw badRequest(
          "InvalidSchema",
          `Index name ${JSON.stringify(i.indexDescriptor)} on table ${t.tableName} is reserved or invalid.`,
        );
      }
      if (names.has(i.indexDescriptor))
        throw badRequest("InvalidSchema", `Index ${t.tableName}.${i.indexDescriptor} is defined twice.`);
      names.add(i.indexDescriptor);
    }
    for (const i of t.indexes) {
      if (i.fields.length === 0 || i.fields.length > MAX_INDEX_FIELDS) {
        throw badRequest(
          "InvalidSchema",
          `Index ${t.tableName}.${i.indexDescriptor} must have between 1 and ${MAX_INDEX_FIELDS} fields.`,
        );
      }
      if (i.fields.some((f) => f === "_id" || f === "_creationTime")) {
        throw badRequest(
          "InvalidSchema",
          `Index ${t.tableName}.${i.indexDescriptor} cannot list _id or _creationTime: they are added to every index automatically.`,
        );
      }
    }
  }
}
