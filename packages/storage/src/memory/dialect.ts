/**
 * `Dialect` over a `MemoryDatabase`. Every call is asynchronous and there is no `headNow`, as
 * with a network database: it proves the interface for Postgres and gives tests a store without
 * files. Not durable.
 */
import type { DocumentJSON, IndexKey } from "../types.js";
import { storageError } from "../errors.js";
import {
  headMoved,
  type BatchStep,
  type ChangedVersion,
  type CommitPlan,
  type Dialect,
  type DocRef,
  type Head,
  type IndexRow,
  type IndexSpec,
  type Planner,
  type ScanRow,
  type ScanSource,
  type StepOutcome,
  type TableRow,
  type VersionRow,
} from "../store/dialect.js";
import { hex, latestAt, unhex, type MemoryDatabase } from "./database.js";

export class MemoryDialect implements Dialect {
  constructor(
    private readonly db: MemoryDatabase,
    readonly readonly: boolean,
  ) {}

  /** Several connections may write one `MemoryDatabase`. */
  readonly otherWriters = true;

  async head(): Promise<Head> {
    return { latestTs: this.db.latestTs, schemaVersion: this.db.schemaVersion };
  }

  async loadRegistry(): Promise<{ tables: TableRow[]; indexes: IndexRow[] }> {
    const tables = [...this.db.tables].filter(([, t]) => !t.dropped).map(([number, t]) => ({ number, name: t.name }));
    return { tables, indexes: [...this.db.indexes.values()].map((i) => ({ ...i, fields: [...i.fields] })) };
  }

  async getVersion(doc: DocRef, ts: bigint): Promise<VersionRow | null> {
    const v = latestAt(this.db.documents.get(doc.tableNumber)?.get(hex(doc.docKey)), ts);
    return v ? { id: doc.id, tableNumber: doc.tableNumber, ts: v.ts, json: v.json } : null;
  }

  async scan(
    source: ScanSource,
    start: IndexKey,
    end: IndexKey | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): Promise<ScanRow[]> {
    return this.scanNow(source, start, end, ts, order, limit);
  }

  private scanNow(
    source: ScanSource,
    start: Uint8Array,
    end: Uint8Array | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): ScanRow[] {
    const lo = hex(start);
    const hi = end === null ? null : hex(end);
    const inRange = (k: string) => k >= lo && (hi === null || k < hi);
    const docs = this.db.documents.get(source.tableNumber);
    const rows: ScanRow[] = [];
    const keys = [
      ...(source.kind === "documents" ? (docs?.keys() ?? []) : (this.db.entries.get(source.indexId)?.keys() ?? [])),
    ]
      .filter(inRange)
      .sort();
    if (order === "desc") keys.reverse();
    for (const k of keys) {
      if (rows.length >= limit) break;
      let docKey = k;
      if (source.kind === "entries") {
        const e = latestAt(this.db.entries.get(source.indexId)!.get(k), ts);
        if (!e || e.deleted) continue;
        docKey = e.docKey;
      }
      const v = latestAt(docs?.get(docKey), ts);
      if (!v || v.json === null) continue;
      rows.push({ key: unhex(k) as IndexKey, docKey: unhex(docKey) as IndexKey, ts: v.ts, json: v.json });
    }
    return rows;
  }

  async getMeta(key: string): Promise<string | null> {
    return this.db.meta.get(key) ?? null;
  }

  async setMeta(key: string, value: string | null): Promise<void> {
    this.writable();
    await this.db.exclusive(async () => {
      if (value === null) this.db.meta.delete(key);
      else this.db.meta.set(key, value);
    });
  }

  async versionsSince(after: bigint, upTo: bigint): Promise<ChangedVersion[]> {
    const out: ChangedVersion[] = [];
    for (const [tableNumber, docs] of this.db.documents)
      for (const [k, versions] of docs)
        versions.forEach((v, i) => {
          if (v.ts > after && v.ts <= upTo)
            out.push({
              tableNumber,
              docKey: unhex(k) as IndexKey,
              ts: v.ts,
              json: v.json,
              prevJson: versions[i - 1]?.json ?? null,
            });
        });
    return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  }

  async commit<T>(docs: readonly DocRef[], planner: Planner<T>, expected?: bigint): Promise<T> {
    const [outcome] = await this.batch([{ docs, planner }], expected);
    if (outcome === undefined || outcome === "skipped") throw new Error("a single commit was skipped");
    if ("error" in outcome) throw outcome.error;
    return outcome.result;
  }

  async batch<T>(steps: readonly BatchStep<T>[], expected?: bigint): Promise<StepOutcome<T>[]> {
    this.writable();
    return this.db.exclusive(async () => {
      const start = await this.head();
      if (expected !== undefined && start.latestTs !== expected) throw headMoved(expected, start.latestTs);
      let head = start;
      const out: StepOutcome<T>[] = [];
      const meta: Array<readonly [string, string | null]> = [];
      try {
        for (const step of steps) {
          if (step.accept && !step.accept()) {
            out.push("skipped");
            continue;
          }
          const latest = new Map<string, VersionRow>();
          for (const d of step.docs) {
            const v = this.db.documents.get(d.tableNumber)?.get(hex(d.docKey))?.at(-1);
            if (v) latest.set(d.id, { id: d.id, tableNumber: d.tableNumber, ts: v.ts, json: v.json });
          }
          let planned: { plan: CommitPlan; result: T };
          try {
            planned = step.planner(head, latest);
            if (planned.plan.ts <= head.latestTs)
              throw new Error(`commit ts ${planned.plan.ts} is not after ${head.latestTs}`);
          } catch (error) {
            out.push({ error });
            continue;
          }
          this.write(planned.plan);
          meta.push(...planned.plan.meta);
          head = { latestTs: planned.plan.ts, schemaVersion: head.schemaVersion };
          out.push({ result: planned.result });
          step.applied?.(planned.result);
        }
        // Compare-and-set: the head must still be the one the steps were planned against.
        if (this.db.latestTs !== start.latestTs) throw headMoved(start.latestTs, this.db.latestTs);
      } catch (e) {
        this.undoAfter(start.latestTs);
        throw e;
      }
      for (const [k, v] of meta) {
        if (v === null) this.db.meta.delete(k);
        else this.db.meta.set(k, v);
      }
      this.db.latestTs = head.latestTs;
      return out;
    });
  }

  private write(plan: CommitPlan): void {
    for (const v of plan.versions)
      push(this.db.documentsOf(v.tableNumber), hex(v.docKey), { ts: plan.ts, json: v.json });
    for (const e of plan.entries)
      push(this.db.entriesOf(e.indexId), hex(e.key), { ts: plan.ts, docKey: hex(e.docKey), deleted: e.deleted });
  }

  /** Removes the rows of a batch that did not commit (every row above the head it started from). */
  private undoAfter(ts: bigint): void {
    for (const group of [...this.db.documents.values(), ...this.db.entries.values()])
      for (const [k, versions] of group as Map<string, { ts: bigint }[]>) {
        while (versions.length > 0 && versions.at(-1)!.ts > ts) versions.pop();
        if (versions.length === 0) group.delete(k);
      }
  }

  async createTable(name: string, min: number, max: number, indexes: readonly IndexSpec[]): Promise<TableRow> {
    this.writable();
    return this.db.exclusive(async () => {
      for (const [number, t] of this.db.tables) if (!t.dropped && t.name === name) return { number, name };
      let top: number | null = null;
      for (const n of this.db.tables.keys()) if (n >= min && n <= max && (top === null || n > top)) top = n;
      const number = top === null ? min : top + 1;
      if (number > max) throw storageError("Conflict", "InvalidTableName", `No table numbers left for ${name}`);
      this.db.tables.set(number, { name, dropped: false });
      for (const i of indexes) this.addIndexRow(number, i.name, i.fields);
      this.db.schemaVersion++;
      return { number, name };
    });
  }

  async dropTable(tableNumber: number): Promise<void> {
    this.writable();
    await this.db.exclusive(async () => {
      for (const [id, i] of this.db.indexes)
        if (i.tableNumber === tableNumber) {
          this.db.indexes.delete(id);
          this.db.entries.delete(id);
        }
      this.db.documents.delete(tableNumber);
      const t = this.db.tables.get(tableNumber);
      if (t) t.dropped = true;
      this.db.schemaVersion++;
    });
  }

  async createIndex(
    tableNumber: number,
    name: string,
    fields: readonly string[],
    keyOf: (doc: DocumentJSON) => IndexKey,
  ): Promise<IndexRow> {
    this.writable();
    return this.db.exclusive(async () => {
      for (const i of this.db.indexes.values())
        if (i.tableNumber === tableNumber && i.name === name)
          throw new Error(`index ${name} already exists on table ${tableNumber}`);
      const row = this.addIndexRow(tableNumber, name, fields);
      if (name !== "by_id") {
        const entries = this.db.entriesOf(row.id);
        const source: ScanSource = { kind: "documents", tableNumber };
        for (const r of this.scanNow(source, new Uint8Array(0), null, this.db.latestTs, "asc", Number.MAX_SAFE_INTEGER))
          push(entries, hex(keyOf(JSON.parse(r.json) as DocumentJSON)), {
            ts: r.ts,
            docKey: hex(r.docKey),
            deleted: false,
          });
      }
      this.db.schemaVersion++;
      return row;
    });
  }

  private addIndexRow(tableNumber: number, name: string, fields: readonly string[]): IndexRow {
    const row: IndexRow = { id: this.db.nextIndexId++, tableNumber, name, fields: [...fields] };
    this.db.indexes.set(row.id, row);
    return row;
  }

  async dropIndex(indexId: number): Promise<void> {
    this.writable();
    await this.db.exclusive(async () => {
      this.db.indexes.delete(indexId);
      this.db.entries.delete(indexId);
      this.db.schemaVersion++;
    });
  }

  async close(): Promise<void> {}

  private writable(): void {
    if (this.readonly) throw storageError("Forbidden", "ReadOnlyStorage", "This storage connection is read-only");
  }
}

/** Appends a version, keeping each key's versions in ts order (a backfill may add an older one). */
function push<V extends { readonly ts: bigint }>(group: Map<string, V[]>, key: string, v: V): void {
  const versions = group.get(key);
  if (!versions) group.set(key, [v]);
  else {
    let i = versions.length;
    while (i > 0 && versions[i - 1]!.ts > v.ts) i--;
    versions.splice(i, 0, v);
  }
}
