/**
 * The part of storage a transaction needs besides its snapshot: table and index metadata, table
 * creation (tables are created on first insert, outside the transaction) and fresh ids. In the
 * main thread it is the storage itself; in a worker it forwards `ensureTable` to the main thread.
 */
import type { DocumentId, IndexInfo, TableInfo, TableNumber } from "@tandem/storage";
import type { SearchService } from "../search/search-request.js";

export interface Catalog {
  tables(): readonly TableInfo[];
  tableByNumber(n: TableNumber): TableInfo | undefined;
  indexes(table?: string): readonly IndexInfo[];
  ensureTable(name: string): Promise<TableInfo>;
  newId(table: string): DocumentId;
  /** Text and vector search (absent where no search indexes are reachable). */
  readonly search?: SearchService;
}
