/** `Dialect` over one better-sqlite3 connection. All calls are synchronous underneath. */
import type { Database, Transaction } from "better-sqlite3";
import type { DocumentJSON, IndexKey } from "../types.js";
import { storageError } from "../errors.js";
import { headMoved } from "../store/dialect.js";
import type {
  BatchStep,
  ChangedVersion,
  CommitPlan,
  Dialect,
  DocRef,
  Head,
  IndexRow,
  IndexSpec,
  Planner,
  ScanRow,
  ScanSource,
  StepOutcome,
  TableRow,
  TextScanRow,
  VersionRow,
} from "../store/dialect.js";
import type { Statements } from "./statements.js";
import { RowBuffer } from "./row-buffer.js";
import { ScanStatements } from "./scan-statements.js";
import type { Checkpointer } from "./checkpointer.js";
import { writing } from "./io-errors.js";

const BACKFILL_PAGE = 512;

/** better-sqlite3 binds Buffers as BLOBs, not plain Uint8Arrays. */
function blob(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

interface RawScan {
  key: Buffer;
  /** Null (documents: it is `key`), the length of `key`'s suffix that is the doc key, or the doc key. */
  docKey: Buffer | bigint | null;
  ts: bigint;
  json: string;
}

export class SqliteDialect implements Dialect {
  /** `runBatch` as a better-sqlite3 transaction, made once (making one per call has a cost). */
  private readonly batchTx: Transaction<
    (steps: readonly BatchStep<unknown>[], expected: bigint | undefined) => StepOutcome<unknown>[]
  >;
  /** Version and entry rows of the commit(s) in progress, written when they are done or read. */
  private readonly versionRows: RowBuffer;
  private readonly entryRows: RowBuffer;
  private readonly scans: ScanStatements;

  constructor(
    private readonly db: Database,
    private readonly st: Statements,
    readonly readonly: boolean,
    private readonly checkpointer: Checkpointer | null = null,
  ) {
    this.versionRows = new RowBuffer(db, "INSERT INTO documents (table_number, key, ts, json)", 4);
    this.entryRows = new RowBuffer(db, "INSERT INTO index_entries (index_id, key, ts, doc_key, deleted)", 5);
    this.scans = new ScanStatements(db, st);
    this.batchTx = db.transaction((steps, expected) => this.runBatch(steps, expected));
  }

  /** A SQLite file has one writing process (another is possible, and caught up with, but not expected). */
  readonly otherWriters = false;

  /** Synchronous underneath, so it is also `headNow`. */
  readonly headNow = (): Head => {
    const r = this.st.head.get() as { latestTs: bigint; schemaVersion: bigint };
    return { latestTs: r.latestTs, schemaVersion: Number(r.schemaVersion) };
  };

  async head(): Promise<Head> {
    return this.headNow();
  }

  async loadRegistry(): Promise<{ tables: TableRow[]; indexes: IndexRow[] }> {
    const tables = (this.st.tables.all() as { number: bigint; name: string }[]).map((t) => ({
      number: Number(t.number),
      name: t.name,
    }));
    const indexes = (this.st.indexes.all() as { id: bigint; tableNumber: bigint; name: string; fields: string }[]).map(
      (i) => ({
        id: Number(i.id),
        tableNumber: Number(i.tableNumber),
        name: i.name,
        fields: JSON.parse(i.fields) as string[],
      }),
    );
    return { tables, indexes };
  }

  async getVersion(doc: DocRef, ts: bigint): Promise<VersionRow | null> {
    const r = this.st.version.get(doc.tableNumber, blob(doc.docKey), ts) as
      { ts: bigint; json: string | null } | undefined;
    return r ? { id: doc.id, tableNumber: doc.tableNumber, ts: r.ts, json: r.json } : null;
  }

  async scan(
    source: ScanSource,
    start: IndexKey,
    end: IndexKey | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): Promise<ScanRow[]> {
    return this.scanSync(source, start, end, ts, order, limit);
  }

  /** `scan` without the versions' ts, the doc key left as the row has it (`TextScanRow`). */
  async scanText(
    source: ScanSource,
    start: IndexKey,
    end: IndexKey | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): Promise<TextScanRow[]> {
    const { stmt, limited } = this.scans.get(source.kind, order, end !== null, limit, true);
    const params: Record<string, unknown> = { table: source.tableNumber, start: blob(start), ts };
    if (!limited) params.limit = limit;
    if (source.kind === "entries") params.index = source.indexId;
    if (end !== null) params.end = blob(end);
    return stmt.all(params) as TextScanRow[];
  }

  private scanSync(
    source: ScanSource,
    start: Uint8Array,
    end: Uint8Array | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): ScanRow[] {
    const { stmt, limited } = this.scans.get(source.kind, order, end !== null, limit);
    const params: Record<string, unknown> = { table: source.tableNumber, start: blob(start), ts };
    if (!limited) params.limit = limit;
    if (source.kind === "entries") params.index = source.indexId;
    if (end !== null) params.end = blob(end);
    // The rows have ScanRow's shape already (Buffers are the keys' bytes): no copy per row, only
    // `docKey` made a view of `key` when it is its suffix (statements.ts).
    const rows = stmt.all(params) as RawScan[];
    for (const r of rows) {
      const d = r.docKey;
      if (d === null) r.docKey = r.key;
      else if (typeof d === "bigint") r.docKey = r.key.subarray(r.key.length - Number(d));
    }
    return rows as unknown as ScanRow[];
  }

  async getMeta(key: string): Promise<string | null> {
    const r = this.st.getMeta.get(key) as { value: string } | undefined;
    return r ? r.value : null;
  }

  async setMeta(key: string, value: string | null): Promise<void> {
    writing(() => (value === null ? this.st.deleteMeta.run(key) : this.st.setMeta.run(key, value)), this.db.name);
  }

  async versionsSince(after: bigint, upTo: bigint): Promise<ChangedVersion[]> {
    // A scan of every version: a SQLite file has one writing process, so this runs only when
    // another process wrote the file meanwhile.
    return (
      this.st.versionsSince.all(after, upTo) as {
        tableNumber: bigint;
        key: Buffer;
        ts: bigint;
        json: string | null;
        prevJson: string | null;
      }[]
    ).map((r) => ({
      tableNumber: Number(r.tableNumber),
      docKey: r.key as unknown as IndexKey,
      ts: r.ts,
      json: r.json,
      prevJson: r.prevJson,
    }));
  }

  async commit<T>(docs: readonly DocRef[], planner: Planner<T>, expected?: bigint): Promise<T> {
    // A group of one: its planner's error rejects the whole (single-commit) transaction.
    const [outcome] = await this.batch([{ docs, planner }], expected);
    if (outcome === undefined || outcome === "skipped") throw new Error("a single commit was skipped");
    if ("error" in outcome) throw outcome.error;
    return outcome.result;
  }

  async batch<T>(steps: readonly BatchStep<T>[], expected?: bigint): Promise<StepOutcome<T>[]> {
    return writing(
      () => this.batchTx.immediate(steps as readonly BatchStep<unknown>[], expected) as StepOutcome<T>[],
      this.db.name,
    );
  }

  /**
   * One transaction for the whole batch: the head is read once and written once (the immediate
   * transaction holds the write lock, so the compare-and-set cannot fail here). A planner that
   * throws has written nothing, so the others go on; a failed write aborts the whole batch (there
   * is no savepoint to undo it alone, and none is needed for the expected failures).
   */
  private runBatch(steps: readonly BatchStep<unknown>[], expected: bigint | undefined): StepOutcome<unknown>[] {
    const start = this.headNow();
    if (expected !== undefined && start.latestTs !== expected) throw headMoved(expected, start.latestTs);
    let head = start;
    const out: StepOutcome<unknown>[] = [];
    try {
      for (const step of steps) {
        if (step.accept && !step.accept()) {
          out.push("skipped");
          continue;
        }
        let planned: ReturnType<Planner<unknown>>;
        try {
          planned = step.planner(head, this.latestVersions(step.docs));
          if (planned.plan.ts <= head.latestTs)
            throw new Error(`commit ts ${planned.plan.ts} is not after ${head.latestTs}`);
        } catch (error) {
          out.push({ error });
          continue;
        }
        this.writePlan(planned.plan);
        head = { latestTs: planned.plan.ts, schemaVersion: head.schemaVersion };
        out.push({ result: planned.result });
        step.applied?.(planned.result);
      }
      this.flushRows();
      if (head.latestTs !== start.latestTs) this.st.setLatestTs.run(head.latestTs);
      return out;
    } catch (e) {
      this.versionRows.clear(); // rolled back with the transaction
      this.entryRows.clear();
      throw e;
    }
  }

  private flushRows(): void {
    this.versionRows.flush();
    this.entryRows.flush();
  }

  private latestVersions(docs: readonly DocRef[]): Map<string, VersionRow> {
    const latest = new Map<string, VersionRow>();
    if (docs.length === 0) return latest;
    // Rows buffered by earlier commits of this batch must be visible to the reads.
    this.flushRows();
    for (const d of docs) {
      const r = this.st.latestVersion.get(d.tableNumber, blob(d.docKey)) as
        { ts: bigint; json: string | null } | undefined;
      if (r) latest.set(d.id, { id: d.id, tableNumber: d.tableNumber, ts: r.ts, json: r.json });
    }
    return latest;
  }

  private writePlan(plan: CommitPlan): void {
    for (const v of plan.versions) this.versionRows.add(v.tableNumber, blob(v.docKey), plan.ts, v.json);
    for (const e of plan.entries)
      this.entryRows.add(e.indexId, blob(e.key), plan.ts, blob(e.docKey), e.deleted ? 1 : 0);
    for (const [k, v] of plan.meta) {
      if (v === null) this.st.deleteMeta.run(k);
      else this.st.setMeta.run(k, v);
    }
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
    return writing(() => run.immediate(), this.db.name);
  }

  async dropTable(tableNumber: number): Promise<void> {
    this.db
      .transaction(() => {
        for (const i of this.st.indexesOfTable.all(tableNumber) as { id: bigint }[]) {
          this.st.deleteEntries.run(i.id);
          this.st.deleteIndex.run(i.id);
        }
        this.st.deleteDocsOfTable.run(tableNumber);
        this.st.dropTable.run(tableNumber);
        this.st.bumpSchema.run();
      })
      .immediate();
  }

  async createIndex(
    tableNumber: number,
    name: string,
    fields: readonly string[],
    keyOf: (doc: DocumentJSON) => IndexKey,
  ): Promise<IndexRow> {
    const run = this.db.transaction((): IndexRow => {
      const id = Number(this.st.insertIndex.run(tableNumber, name, JSON.stringify(fields)).lastInsertRowid);
      if (name !== "by_id") {
        // Backfill from the latest snapshot, a page at a time (a statement can't stay open while we insert).
        const ts = this.headNow().latestTs;
        const source: ScanSource = { kind: "documents", tableNumber };
        let start: Uint8Array = Buffer.alloc(0);
        for (;;) {
          const rows = this.scanSync(source, start, null, ts, "asc", BACKFILL_PAGE);
          for (const r of rows)
            this.st.insertEntry.run(id, blob(keyOf(JSON.parse(r.json) as DocumentJSON)), r.ts, r.docKey, 0);
          if (rows.length < BACKFILL_PAGE) break;
          start = Buffer.concat([rows[rows.length - 1]!.key, Buffer.of(0)]);
        }
      }
      this.st.bumpSchema.run();
      return { id, tableNumber, name, fields: [...fields] };
    });
    return writing(() => run.immediate(), this.db.name);
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
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
