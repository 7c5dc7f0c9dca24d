/**
 * The `_system/cli/*` queries behind `npx convex data`, `import` and `export`
 * (npm:cli/lib/data.ts, convexImport.ts, convexExport.ts). `tables` and `tableData` are read
 * through `runSystemPaginatedQuery`, so both take `paginationOpts: {cursor, numItems}` and
 * answer `{page, isDone, continueCursor}`.
 */
import { badRequest } from "../errors.js";
import {
  isSystemTableName,
  rangeAfter,
  fullRange,
  type ConvexJSON,
  type IndexKey,
  type KeyRange,
  type Storage,
} from "@tandem/storage";
import type { SystemFunctionRegistry } from "../engine/types.js";
import type { ExportService } from "./export-service.js";
import type { ImportService } from "./import-service.js";

export interface DataSystemFunctionDeps {
  readonly storage: Storage;
  readonly imports: ImportService;
  readonly exports: ExportService;
}

const MAX_PAGE = 10_000;

interface PageArgs {
  readonly cursor: string | null;
  readonly numItems: number;
}

function pageArgs(args: ConvexJSON): PageArgs {
  const p = (args as { paginationOpts?: { cursor?: unknown; numItems?: unknown } } | null)?.paginationOpts;
  const cursor = p?.cursor ?? null;
  if (cursor !== null && typeof cursor !== "string")
    throw badRequest("InvalidArgs", "`paginationOpts.cursor` must be a string or null.");
  const n = p?.numItems ?? 100;
  if (typeof n !== "number" || !Number.isFinite(n) || n < 1)
    throw badRequest("InvalidArgs", "`paginationOpts.numItems` must be a positive number.");
  return { cursor, numItems: Math.min(Math.floor(n), MAX_PAGE) };
}

const page = (items: ConvexJSON[], isDone: boolean, continueCursor: string): ConvexJSON => ({
  page: items,
  isDone,
  continueCursor,
});

/** A page of `table` in `_creationTime` order; the cursor is the hex of the last index key. */
async function tableData(storage: Storage, args: ConvexJSON): Promise<ConvexJSON> {
  const a = args as { table?: unknown; order?: unknown } | null;
  if (typeof a?.table !== "string") throw badRequest("InvalidArgs", "`table` must be a string.");
  const order = a.order ?? "asc";
  if (order !== "asc" && order !== "desc") throw badRequest("InvalidArgs", '`order` must be "asc" or "desc".');
  const { cursor, numItems } = pageArgs(args);
  const index = storage.indexes(a.table).find((i) => i.name === "by_creation_time");
  if (!index) return page([], true, "");
  let range: KeyRange = fullRange(index);
  if (cursor) {
    if (!/^([0-9a-f]{2})*$/.test(cursor)) throw badRequest("InvalidCursor", "Invalid cursor.");
    range = rangeAfter(range, Buffer.from(cursor, "hex") as unknown as IndexKey, order);
  }
  const entries = await storage.snapshot().scan(range, order, numItems);
  const last = entries[entries.length - 1];
  const next = last ? Buffer.from(last.key).toString("hex") : (cursor ?? "");
  return page(
    entries.map((e) => e.doc.value),
    entries.length < numItems,
    next,
  );
}

export function registerDataSystemFunctions(registry: SystemFunctionRegistry, deps: DataSystemFunctionDeps): void {
  const { storage, imports, exports } = deps;
  const tables = async (args: ConvexJSON): Promise<ConvexJSON> => {
    pageArgs(args);
    const names = storage
      .tables()
      .filter((t) => !isSystemTableName(t.name))
      .map((t) => ({ name: t.name }));
    return page(names, true, "");
  };
  registry.registerSystemFunction("_system/cli/tables", { kind: "query", handler: tables });
  registry.registerSystemFunction("_system/cli/tableData", {
    kind: "query",
    handler: (args) => tableData(storage, args),
  });
  registry.registerSystemFunction("_system/cli/queryImport", {
    kind: "query",
    handler: async (args) => imports.get((args as { importId?: unknown } | null)?.importId) as ConvexJSON,
  });
  registry.registerSystemFunction("_system/cli/queryImport:list", {
    kind: "query",
    handler: async () => imports.list() as ConvexJSON,
  });
  registry.registerSystemFunction("_system/cli/exports:getLatest", {
    kind: "query",
    handler: async () => exports.latest() as ConvexJSON,
  });
}
