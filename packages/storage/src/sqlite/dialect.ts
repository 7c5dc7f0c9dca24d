/** `Dialect` over one better-sqlite3 connection. All calls are synchronous underneath. */
import type { Database } from "better-sqlite3";
import type { DocumentJSON, IndexKey } from "../types.js";
import { storageError } from "../errors.js";
import type { Dialect, Head, IndexRow, IndexSpec, Planner, ScanRow, TableRow, VersionRow } from "../engine/dialect.js";
import type { Statements } from "./statements.js";

const BACKFILL_PAGE = 512;

/** better-sqlite3 binds Buffers as BLOBs, not plain Uint8Arrays. */
function blob(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

interface RawVersion {
  id: string;
  ts: bigint;
  tableNumber: bigint;
  json: string | null;
}
interface RawScan {
  key: Buffer;
  id: string;
  ts: bigint;
  tableNumber: bigint;
  json: string;
}

function version(r: RawVersion): VersionRow {
  return { id: r.id, ts: r.ts, tableNumber: Number(r.tableNumber), json: r.json };
}

export class SqliteDialect implements Dialect {
  constructor(
    private readonly db: Database,
    private readonly st: Statements,
    readonly readonly: boolean,
  ) {}

  head(): Head {
    const r = this.st.head.get() as { latestTs: bigint; schemaVersion: bigint };
    return { latestTs: r.latestTs, schemaVersion: Number(r.schemaVersion) };
  }

  async loadRegistry(): Promise<{ tables: TableRow[]; indexes: IndexRow[] }> {
    const tables = (this.st.tables.all() as { number: bigint; name: string }[]).map((t) => ({
      number: Number(t.number),
      name: t.name,
    }));
    const indexes = (this.st.indexes.all() as { id: bigint; tableNumber: bigint; name: string; fields: string }[]).map(
      (i) => ({ id: Number(i.id), tableNumber: Number(i.tableNumber), name: i.name, fields: JSON.parse(i.fields) as string[] }),
    );
    return { tables, indexes };
  }

  async getVersion(id: string, ts: bigint): Promise<VersionRow | null> {
    const r = this.st.version.get(id, ts) as RawVersion | undefined;
    return r ? version(r) : null;
  }

  async scan(indexId: number, start: IndexKey, end: IndexKey | null, ts: bigint, order: "asc" | "desc", limit: number): Promise<ScanRow[]> {
    return this.scanSync(indexId, start, end, ts, order, limit);
  }

  private scanSync(indexId: number, start: Uint8Array, end: Uint8Array | null, ts: bigint, order: "asc" | "desc", limit: number): ScanRow[] {
    const stmt =
      order === "asc"
        ? end === null ? this.st.scanAscOpen : this.st.scanAsc
        : end === null ? this.st.scanDescOpen : this.st.scanDesc;
    const params: Record<string, unknown> = { index: indexId, start: blob(start), ts, limit };
    if (end !== null) params.end = blob(end);
    return (stmt.all(params) as RawScan[]).map((r) => ({
      key: r.key as unknown as IndexKey,
      id: r.id,
      ts: r.ts,
      tableNumber: Number(r.tableNumber),
      json: r.json,
    }));
  }

  async getMeta(key: string): Promise<string | null> {
    const r = this.st.getMeta.get(key) as { value: string } | undefined;
    return r ? r.value : null;
  }

  async setMeta(key: string, value: string | null): Promise<void> {
    if (value === null) this.st.deleteMeta.run(key);
    else this.st.setMeta.run(key, value);
  }

  async commit<T>(ids: readonly string[], planner: Planner<T>): Promise<T> {
    const run = this.db.transaction((): T => {
      const head = this.head();
      const latest = new Map<string, VersionRow>();
      for (const id of ids) {
        const r = this.st.latestVersion.get(id) as RawVersion | undefined;
        if (r) latest.set(id, version(r));
      }
      const { plan, result } = planner(head, latest);
      if (plan.ts <= head.latestTs) throw new Error(`commit ts ${plan.ts} is not after ${head.latestTs}`);
      for (const v of plan.versions) this.st.insertVersion.run(v.id, plan.ts, v.tableNumber, v.json);
      for (const e of plan.entries) this.st.insertEntry.run(e.indexId, blob(e.key), plan.ts, e.docId, e.deleted ? 1 : 0);
      for (const [k, v] of plan.meta) {
        if (v === null) this.st.deleteMeta.run(k);
        else this.st.setMeta.run(k, v);
      }
      this.st.setLatestTs.run(plan.ts);
      return result;
    });
    return run.immediate();
  }

  async createTable(name: string, min: number, max: number, indexes: readonly IndexSpec[]): Promise<TableRow> {
    const run = this.db.transaction((): TableRow => {
      const existing = this.st.liveTable.get(name) as { number: bigint; name: string } | undefined;
      if (existing) return { number: Number(existing.number), name: existing.name };
      const top = (this.st.maxTableNumber.get(min, max) as { n: bigint | null }).n;
      const number = top === null ? min : Number(top) + 1;
      if (number > max) throw storageError("Conflict", "InvalidTableName", `No table numbers left for ${name}`);
      this.st.insertTable.run(number, name);
      for (const i of indexes) this.st.insertIndex.run(number, i.name, JSON.stringify(i.fields));
      this.st.bumpSchema.run();
      return { number, name };
    });
    return run.immediate();
  }

  async dropTable(tableNumber: number): Promise<void> {
    this.db
      .transaction(() => {
        const indexes = this.st.indexesOfTable.all(tableNumber) as { id: bigint; name: string }[];
        const byId = indexes.find((i) => i.name === "by_id");
        if (byId) this.st.deleteDocsOfIndex.run(byId.id);
        for (const i of indexes) {
          this.st.deleteEntries.run(i.id);
          this.st.deleteIndex.run(i.id);
        }
        this.st.dropTable.run(tableNumber);
        this.st.bumpSchema.run();
      })
      .immediate();
  }

  async createIndex(tableNumber: number, name: string, fields: readonly string[], keyOf: (doc: DocumentJSON) => IndexKey): Promise<IndexRow> {
    const run = this.db.transaction((): IndexRow => {
      const byId = (this.st.indexesOfTable.all(tableNumber) as { id: bigint; name: string }[]).find((i) => i.name === "by_id");
      const id = Number(this.st.insertIndex.run(tableNumber, name, JSON.stringify(fields)).lastInsertRowid);
      if (byId) {
        // Backfill from the latest snapshot, paging through by_id (a statement can't stay open while we insert).
        const ts = this.head().latestTs;
        let start: Uint8Array = Buffer.alloc(0);
        for (;;) {
          const rows = this.scanSync(Number(byId.id), start, null, ts, "asc", BACKFILL_PAGE);
          for (const r of rows) this.st.insertEntry.run(id, blob(keyOf(JSON.parse(r.json) as DocumentJSON)), r.ts, r.id, 0);
          if (rows.length < BACKFILL_PAGE) break;
          start = Buffer.concat([rows[rows.length - 1]!.key, Buffer.of(0)]);
        }
      }
      this.st.bumpSchema.run();
      return { id, tableNumber, name, fields: [...fields] };
    });
    return run.immediate();
  }

  async dropIndex(indexId: number): Promise<void> {
    this.db
      .transaction(() => {
        this.st.deleteEntries.run(indexId);
        this.st.deleteIndex.run(indexId);
        this.st.bumpSchema.run();
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
