/**
 * `Dialect` over a `pg` pool. Reads go through the pool; every write transaction takes a client,
 * locks the head row first (so writers — this process's or another's — go one at a time), and
 * ends by moving the head with a compare-and-set.
 */
import type pg from "pg";
import type { Pool, PoolClient } from "pg";
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
  type LockedReader,
  type Planner,
  type ScanRow,
  type ScanSource,
  type StepOutcome,
  type TableRow,
  type VersionRow,
} from "../store/dialect.js";
import * as sql from "./sql.js";
import { listenForCommits } from "./commit-channel.js";
import { PostgresLeases } from "./leases.js";

/** Where commits are announced to other nodes: the channel and how to open a listening connection. */
export interface CommitAnnouncements {
  readonly channel: string;
  readonly connect: () => pg.Client;
}

const BACKFILL_PAGE = 512;

type Queryable = Pick<Pool, "query"> | PoolClient;

function buf(u8: Uint8Array): Buffer {
  return Buffer.isBuffer(u8) ? u8 : Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

interface HeadRow {
  latest_ts: string;
  schema_version: string;
}

function headOf(r: HeadRow | undefined): Head {
  if (!r) throw new Error("the Postgres store has no head row (is the schema migrated?)");
  return { latestTs: BigInt(r.latest_ts), schemaVersion: Number(r.schema_version) };
}

/** Rows of one batch, written with one statement per table when read or done. */
class PendingRows {
  vTable: number[] = [];
  vKey: Buffer[] = [];
  vTs: string[] = [];
  vJson: (string | null)[] = [];
  eIndex: number[] = [];
  eKey: Buffer[] = [];
  eTs: string[] = [];
  eDoc: Buffer[] = [];
  eDeleted: boolean[] = [];

  add(plan: CommitPlan): void {
    const ts = plan.ts.toString();
    for (const v of plan.versions) {
      this.vTable.push(v.tableNumber);
      this.vKey.push(buf(v.docKey));
      this.vTs.push(ts);
      this.vJson.push(v.json);
    }
    for (const e of plan.entries) {
      this.eIndex.push(e.indexId);
      this.eKey.push(buf(e.key));
      this.eTs.push(ts);
      this.eDoc.push(buf(e.docKey));
      this.eDeleted.push(e.deleted);
    }
  }

  /** The rows as parameters $4–$12 of `commitInOneStatementSql`. */
  params(): unknown[] {
    return [this.vTable, this.vKey, this.vTs, this.vJson, this.eIndex, this.eKey, this.eTs, this.eDoc, this.eDeleted];
  }

  async flush(client: PoolClient): Promise<void> {
    if (this.vTable.length > 0) await client.query(sql.INSERT_VERSIONS, [this.vTable, this.vKey, this.vTs, this.vJson]);
    if (this.eIndex.length > 0)
      await client.query(sql.INSERT_ENTRIES, [this.eIndex, this.eKey, this.eTs, this.eDoc, this.eDeleted]);
    this.vTable = [];
    this.vKey = [];
    this.vTs = [];
    this.vJson = [];
    this.eIndex = [];
    this.eKey = [];
    this.eTs = [];
    this.eDoc = [];
    this.eDeleted = [];
  }
}

const NOTHING_READ: ReadonlyMap<string, VersionRow> = new Map();

/**
 * Plans one accepted step of a batch against `head` and records its outcome in `out`: the
 * planner's error, or its result (then `applied` runs). The plan when it applies.
 */
function planStep<T>(
  step: BatchStep<T>,
  head: Head,
  latest: ReadonlyMap<string, VersionRow>,
  out: StepOutcome<T>[],
): CommitPlan | null {
  let planned: { plan: CommitPlan; result: T };
  try {
    planned = step.planner(head, latest);
    if (planned.plan.ts <= head.latestTs) throw new Error(`commit ts ${planned.plan.ts} is not after ${head.latestTs}`);
  } catch (error) {
    out.push({ error });
    return null;
  }
  out.push({ result: planned.result });
  step.applied?.(planned.result);
  return planned.plan;
}

export class PostgresDialect implements Dialect {
  constructor(
    private readonly pool: Pool,
    readonly readonly: boolean,
    private readonly announcements: CommitAnnouncements | null = null,
  ) {
    this.leases = new PostgresLeases(pool);
  }

  async watch(wake: (ts?: bigint) => void): Promise<() => Promise<void>> {
    if (!this.announcements) return async () => {};
    return listenForCommits(this.announcements.connect, this.announcements.channel, wake);
  }

  /** Several nodes may share one database. */
  readonly otherWriters = true;

  readonly leases: PostgresLeases;

  async head(): Promise<Head> {
    return headOf((await this.pool.query<HeadRow>(sql.HEAD)).rows[0]);
  }

  loadRegistry(): Promise<{ tables: TableRow[]; indexes: IndexRow[] }> {
    return this.loadRegistryOn(this.pool);
  }

  private async loadRegistryOn(q: Queryable): Promise<{ tables: TableRow[]; indexes: IndexRow[] }> {
    const [t, i] = await Promise.all([
      q.query<{ number: string; name: string }>(sql.TABLES),
      q.query<{ id: number; table_number: string; name: string; fields: string }>(sql.INDEXES),
    ]);
    return {
      tables: t.rows.map((r) => ({ number: Number(r.number), name: r.name })),
      indexes: i.rows.map((r) => ({
        id: r.id,
        tableNumber: Number(r.table_number),
        name: r.name,
        fields: JSON.parse(r.fields) as string[],
      })),
    };
  }

  async getVersion(doc: DocRef, ts: bigint): Promise<VersionRow | null> {
    const r = (
      await this.pool.query<{ ts: string; json: string | null }>(sql.VERSION, [
        doc.tableNumber,
        buf(doc.docKey),
        ts.toString(),
      ])
    ).rows[0];
    return r ? { id: doc.id, tableNumber: doc.tableNumber, ts: BigInt(r.ts), json: r.json } : null;
  }

  scan(
    source: ScanSource,
    start: IndexKey,
    end: IndexKey | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): Promise<ScanRow[]> {
    return this.scanOn(this.pool, source, start, end, ts, order, limit);
  }

  private async scanOn(
    q: Queryable,
    source: ScanSource,
    start: Uint8Array,
    end: Uint8Array | null,
    ts: bigint,
    order: "asc" | "desc",
    limit: number,
  ): Promise<ScanRow[]> {
    const bounds = end === null ? [buf(start)] : [buf(start), buf(end)];
    const tail = [ts.toString(), limit];
    if (source.kind === "documents") {
      const r = await q.query<{ key: Buffer; ts: string; json: string }>(sql.scanDocumentsSql(order, end !== null), [
        source.tableNumber,
        ...bounds,
        ...tail,
      ]);
      return r.rows.map((row) => ({
        key: row.key as unknown as IndexKey,
        docKey: row.key as unknown as IndexKey,
        ts: BigInt(row.ts),
        json: row.json,
      }));
    }
    const r = await q.query<{ key: Buffer; doc_key: Buffer; ts: string; json: string }>(
      sql.scanEntriesSql(order, end !== null),
      [source.indexId, source.tableNumber, ...bounds, ...tail],
    );
    return r.rows.map((row) => ({
      key: row.key as unknown as IndexKey,
      docKey: row.doc_key as unknown as IndexKey,
      ts: BigInt(row.ts),
      json: row.json,
    }));
  }

  async getMeta(key: string): Promise<string | null> {
    return (await this.pool.query<{ value: string }>(sql.GET_META, [key])).rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string | null): Promise<void> {
    await this.transaction(async (c) => {
      if (value === null) await c.query(sql.DELETE_META, [key]);
      else await c.query(sql.SET_META, [key, value]);
      // A push or env change another node must load (its followers poll meta too).
      if (this.announcements) await c.query(sql.NOTIFY, [this.announcements.channel]);
    });
  }

  versionsSince(after: bigint, upTo: bigint): Promise<ChangedVersion[]> {
    return this.versionsSinceOn(this.pool, after, upTo);
  }

  private async versionsSinceOn(q: Queryable, after: bigint, upTo: bigint): Promise<ChangedVersion[]> {
    const r = await q.query<{
      table_number: string;
      key: Buffer;
      ts: string;
      json: string | null;
      prev_json: string | null;
    }>(sql.VERSIONS_SINCE, [after.toString(), upTo.toString()]);
    return r.rows.map((row) => ({
      tableNumber: Number(row.table_number),
      docKey: row.key as unknown as IndexKey,
      ts: BigInt(row.ts),
      json: row.json,
      prevJson: row.prev_json,
    }));
  }

  async commit<T>(
    docs: readonly DocRef[],
    planner: Planner<T>,
    expected?: bigint,
    expectedSchema?: number,
  ): Promise<T> {
    const [outcome] = await this.batch([{ docs, planner }], expected, expectedSchema);
    if (outcome === undefined || outcome === "skipped") throw new Error("a single commit was skipped");
    if ("error" in outcome) throw outcome.error;
    return outcome.result;
  }

  async batch<T>(
    steps: readonly BatchStep<T>[],
    expected?: bigint,
    expectedSchema?: number,
  ): Promise<StepOutcome<T>[]> {
    // Steps that read nothing (prepared writes) are planned against the head the store expects,
    // and the group goes in one statement: one round trip instead of six.
    if (expected !== undefined && expectedSchema !== undefined && steps.every((s) => s.docs.length === 0))
      return this.batchInOneStatement(this.pool, steps, { latestTs: expected, schemaVersion: expectedSchema });
    return this.lockedTransaction(async (c, start) => {
      if (expected !== undefined && start.latestTs !== expected) throw headMoved(expected, start.latestTs);
      return this.applySteps(c, steps, start);
    });
  }

  batchLocked<T>(
    steps: readonly BatchStep<T>[],
    caughtUp: (head: Head, reader: LockedReader) => Promise<void>,
  ): Promise<StepOutcome<T>[]> {
    return this.lockedTransaction(async (c, start) => {
      // Every commit up to `start` is committed (the lock waited for it), so these reads see it.
      await caughtUp(start, {
        versionsSince: (after, upTo) => this.versionsSinceOn(c, after, upTo),
        loadRegistry: () => this.loadRegistryOn(c),
      });
      // Prepared writes go in the one statement here too (the lock is held for fewer round trips:
      // lock, catch-up, the statement, COMMIT); its compare-and-set can't fail under the lock.
      if (steps.every((s) => s.docs.length === 0)) return this.batchInOneStatement(c, steps, start);
      return this.applySteps(c, steps, start);
    });
  }

  /** The steps of a batch applied in transaction `c`, which holds the head lock at `start`. */
  private async applySteps<T>(c: PoolClient, steps: readonly BatchStep<T>[], start: Head): Promise<StepOutcome<T>[]> {
    let head = start;
    const out: StepOutcome<T>[] = [];
    const rows = new PendingRows();
    for (const step of steps) {
      if (step.accept && !step.accept()) {
        out.push("skipped");
        continue;
      }
      let latest = NOTHING_READ;
      if (step.docs.length > 0) {
        await rows.flush(c); // earlier steps' rows must be visible to this one's reads
        latest = await this.latestVersions(c, step.docs);
      }
      const plan = planStep(step, head, latest, out);
      if (!plan) continue;
      rows.add(plan);
      for (const [k, v] of plan.meta) {
        if (v === null) await c.query(sql.DELETE_META, [k]);
        else await c.query(sql.SET_META, [k, v]);
      }
      head = { latestTs: plan.ts, schemaVersion: head.schemaVersion };
    }
    await rows.flush(c);
    if (head.latestTs !== start.latestTs) {
      const from = start.latestTs.toString();
      const to = head.latestTs.toString();
      const moved = this.announcements
        ? await c.query(sql.MOVE_HEAD_NOTIFY, [from, to, this.announcements.channel])
        : await c.query(sql.MOVE_HEAD, [from, to]);
      if (moved.rowCount !== 1) throw headMoved(start.latestTs, null);
    }
    return out;
  }

  /**
   * `batch` without a transaction of its own: planned against `expected`, written by one
   * statement that moves the head only from there (else it writes nothing and this throws
   * `HeadMoved`, after the steps' hooks ran: the store tells its caller to forget them).
   */
  private async batchInOneStatement<T>(
    q: Queryable,
    steps: readonly BatchStep<T>[],
    expected: Head,
  ): Promise<StepOutcome<T>[]> {
    if (this.readonly) throw storageError("Forbidden", "ReadOnlyStorage", "This storage connection is read-only");
    let head = expected;
    const out: StepOutcome<T>[] = [];
    const rows = new PendingRows();
    const meta = new Map<string, string | null>();
    for (const step of steps) {
      if (step.accept && !step.accept()) {
        out.push("skipped");
        continue;
      }
      const plan = planStep(step, head, NOTHING_READ, out);
      if (!plan) continue;
      rows.add(plan);
      for (const [k, v] of plan.meta) meta.set(k, v);
      head = { latestTs: plan.ts, schemaVersion: head.schemaVersion };
    }
    if (head.latestTs === expected.latestTs) return out;
    const set = [...meta].filter((m): m is [string, string] => m[1] !== null);
    const deleted = [...meta].flatMap(([k, v]) => (v === null ? [k] : []));
    const values = [
      expected.latestTs.toString(),
      head.latestTs.toString(),
      expected.schemaVersion,
      ...rows.params(),
      set.map(([k]) => k),
      set.map(([, v]) => v),
      deleted,
      ...(this.announcements ? [this.announcements.channel] : []),
    ];
    // Named: Postgres parses and plans it once per connection.
    const name = this.announcements ? "tandem_commit_notify" : "tandem_commit";
    const moved = await q.query({ name, text: sql.commitInOneStatementSql(!!this.announcements), values });
    if (moved.rowCount !== 1) throw headMoved(expected.latestTs, null);
    return out;
  }

  private async latestVersions(c: PoolClient, docs: readonly DocRef[]): Promise<Map<string, VersionRow>> {
    const r = await c.query<{ i: string; ts: string; json: string | null }>(sql.LATEST_VERSIONS, [
      docs.map((d) => d.tableNumber),
      docs.map((d) => buf(d.docKey)),
    ]);
    const latest = new Map<string, VersionRow>();
    for (const row of r.rows) {
      const d = docs[Number(row.i) - 1]!;
      latest.set(d.id, { id: d.id, tableNumber: d.tableNumber, ts: BigInt(row.ts), json: row.json });
    }
    return latest;
  }

  async createTable(name: string, min: number, max: number, indexes: readonly IndexSpec[]): Promise<TableRow> {
    return this.transaction(async (c) => {
      await c.query(sql.LOCK_HEAD);
      const existing = (await c.query<{ number: string; name: string }>(sql.LIVE_TABLE, [name])).rows[0];
      if (existing) return { number: Number(existing.number), name: existing.name };
      const top = (await c.query<{ n: string | null }>(sql.MAX_TABLE_NUMBER, [min, max])).rows[0]?.n ?? null;
      const number = top === null ? min : Number(top) + 1;
      if (number > max) throw storageError("Conflict", "InvalidTableName", `No table numbers left for ${name}`);
      await c.query(sql.INSERT_TABLE, [number, name]);
      for (const i of indexes) await c.query(sql.INSERT_INDEX, [number, i.name, JSON.stringify(i.fields)]);
      await c.query(sql.BUMP_SCHEMA);
      return { number, name };
    });
  }

  async dropTable(tableNumber: number): Promise<void> {
    await this.transaction(async (c) => {
      await c.query(sql.LOCK_HEAD);
      for (const i of (await c.query<{ id: number }>(sql.INDEXES_OF_TABLE, [tableNumber])).rows) {
        await c.query(sql.DELETE_ENTRIES, [i.id]);
        await c.query(sql.DELETE_INDEX, [i.id]);
      }
      await c.query(sql.DELETE_DOCS_OF_TABLE, [tableNumber]);
      await c.query(sql.DROP_TABLE, [tableNumber]);
      await c.query(sql.BUMP_SCHEMA);
    });
  }

  async createIndex(
    tableNumber: number,
    name: string,
    fields: readonly string[],
    keyOf: (doc: DocumentJSON) => IndexKey,
  ): Promise<IndexRow> {
    return this.transaction(async (c) => {
      // The head stays locked: no commit lands between the backfill and the index going live.
      const head = headOf((await c.query<HeadRow>(sql.LOCK_HEAD)).rows[0]);
      // Another node created it first (two nodes run one push's schema job): it is the same index.
      const existing = (await c.query<{ id: number; fields: string }>(sql.INDEX_BY_NAME, [tableNumber, name])).rows[0];
      if (existing) return { id: existing.id, tableNumber, name, fields: JSON.parse(existing.fields) as string[] };
      const id = (await c.query<{ id: number }>(sql.INSERT_INDEX, [tableNumber, name, JSON.stringify(fields)])).rows[0]!
        .id;
      if (name !== "by_id") {
        const source: ScanSource = { kind: "documents", tableNumber };
        let start: Uint8Array = Buffer.alloc(0);
        for (;;) {
          const page = await this.scanOn(c, source, start, null, head.latestTs, "asc", BACKFILL_PAGE);
          if (page.length > 0)
            await c.query(sql.INSERT_ENTRIES, [
              page.map(() => id),
              page.map((r) => buf(keyOf(JSON.parse(r.json) as DocumentJSON))),
              page.map((r) => r.ts.toString()),
              page.map((r) => buf(r.docKey)),
              page.map(() => false),
            ]);
          if (page.length < BACKFILL_PAGE) break;
          start = Buffer.concat([page[page.length - 1]!.key, Buffer.of(0)]);
        }
      }
      await c.query(sql.BUMP_SCHEMA);
      return { id, tableNumber, name, fields: [...fields] };
    });
  }

  async dropIndex(indexId: number): Promise<void> {
    await this.transaction(async (c) => {
      await c.query(sql.LOCK_HEAD);
      await c.query(sql.DELETE_ENTRIES, [indexId]);
      await c.query(sql.DELETE_INDEX, [indexId]);
      await c.query(sql.BUMP_SCHEMA);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /**
   * `transaction` that holds the head lock from the start: `BEGIN` and the lock go in one round
   * trip (one simple-protocol query), and `body` gets the head as locked.
   */
  private lockedTransaction<T>(body: (c: PoolClient, head: Head) => Promise<T>): Promise<T> {
    return this.transaction(
      (c, begun) => body(c, headOf((begun as unknown as pg.QueryResult<HeadRow>[])[1]?.rows[0])),
      `BEGIN; ${sql.LOCK_HEAD}`,
    );
  }

  /**
   * Runs `body` in one transaction on one client: committed when it resolves, rolled back when it
   * throws. `begin` opens it (its results go to `body`).
   */
  private async transaction<T>(
    body: (c: PoolClient, begun: pg.QueryResult) => Promise<T>,
    begin = "BEGIN",
  ): Promise<T> {
    if (this.readonly) throw storageError("Forbidden", "ReadOnlyStorage", "This storage connection is read-only");
    const c = await this.pool.connect();
    let broken: unknown = undefined;
    try {
      const begun = await c.query(begin);
      const out = await body(c, begun);
      await c.query("COMMIT");
      return out;
    } catch (e) {
      await c.query("ROLLBACK").catch((err: unknown) => (broken = err));
      throw e;
    } finally {
      // A client whose rollback failed may be mid-transaction: don't hand it out again.
      c.release(broken instanceof Error ? broken : undefined);
    }
  }
}
