/** An in-memory copy of the tables and indexes registries, with the key function of each index. */
import type { DocumentJSON, IndexId, IndexInfo, IndexKey, TableInfo, TableNumber } from "../types.js";
import type { IndexRow, ScanSource, TableRow } from "./dialect.js";
import { encodeIndexKey } from "../keys/encode.js";
import { getJSONFieldPath, splitFieldPath } from "../values/field-path.js";

export interface RegisteredIndex {
  readonly info: IndexInfo;
  readonly tableNumber: number;
  readonly keyOf: (doc: DocumentJSON) => IndexKey;
  /** `by_id` is served by the documents themselves; every other index by its entries. */
  readonly source: ScanSource;
}

export function keyFunction(fields: readonly string[]): (doc: DocumentJSON) => IndexKey {
  const paths = fields.map(splitFieldPath);
  return (doc) => encodeIndexKey(paths.map((p) => getJSONFieldPath(doc, p)));
}

export class Registry {
  private byName = new Map<string, TableInfo>();
  private byNumber = new Map<number, TableInfo>();
  private indexById = new Map<number, RegisteredIndex>();
  private indexesByTable = new Map<number, RegisteredIndex[]>();
  /** The schema version these rows were loaded at. */
  version = -1;
  /**
   * `tables()`, made once per load: the planner asks on every query and the commit notifier on
   * every commit, and a copy each time was a measurable share of both. Frozen, since it is shared.
   */
  private tableList: readonly TableInfo[] = Object.freeze([]);

  load(tables: readonly TableRow[], indexes: readonly IndexRow[], version: number): void {
    this.byName.clear();
    this.byNumber.clear();
    this.indexById.clear();
    this.indexesByTable.clear();
    for (const t of tables) {
      const info: TableInfo = { name: t.name, number: t.number as TableNumber };
      this.byName.set(t.name, info);
      this.byNumber.set(t.number, info);
    }
    for (const i of indexes) {
      const table = this.byNumber.get(i.tableNumber);
      if (!table) continue;
      const reg: RegisteredIndex = {
        info: { id: i.id as IndexId, table: table.name, name: i.name, fields: [...i.fields] },
        tableNumber: i.tableNumber,
        keyOf: keyFunction(i.fields),
        source:
          i.name === "by_id"
            ? { kind: "documents", tableNumber: i.tableNumber }
            : { kind: "entries", tableNumber: i.tableNumber, indexId: i.id },
      };
      this.indexById.set(i.id, reg);
      const list = this.indexesByTable.get(i.tableNumber) ?? [];
      list.push(reg);
      this.indexesByTable.set(i.tableNumber, list);
    }
    this.tableList = Object.freeze([...this.byName.values()]);
    this.version = version;
  }

  /** The same array until the next load (callers can tell "unchanged" by identity). */
  tables(): readonly TableInfo[] {
    return this.tableList;
  }
  table(name: string): TableInfo | undefined {
    return this.byName.get(name);
  }
  tableByNumber(n: number): TableInfo | undefined {
    return this.byNumber.get(n);
  }
  index(id: number): RegisteredIndex | undefined {
    return this.indexById.get(id);
  }
  indexesOf(tableNumber: number): readonly RegisteredIndex[] {
    return this.indexesByTable.get(tableNumber) ?? [];
  }
  indexByName(tableNumber: number, name: string): RegisteredIndex | undefined {
    return this.indexesOf(tableNumber).find((i) => i.info.name === name);
  }
  allIndexes(): IndexInfo[] {
    return [...this.indexById.values()].map((i) => i.info);
  }
}
