/**
 * `Storage` over any `Dialect`: the registry cache, validation, ids, timestamps and index keys live
 * here; the dialect only moves rows. Reader connections (other threads or processes) notice schema
 * changes through the head's `schemaVersion` and reload lazily before their next read.
 */
import type {
  CommitManyHooks,
  CommitRequest,
  CommitResult,
  DocumentId,
  IndexId,
  IndexInfo,
  PreparedCommit,
  SnapshotReader,
  Storage,
  TableInfo,
  TableNumber,
  Timestamp,
  WriteWithOriginal,
  OtherCommit,
  Leases,
} from "../types.js";
import { assert, backoffDelay, isTandemError, sleep } from "@tandem/shared";
import { storageError } from "../errors.js";
import { newDocumentId } from "../ids/document-id.js";
import type { BatchStep, Dialect, DocRef, Head, LockedReader, Planner, StepOutcome } from "./dialect.js";
import {
  BUILTIN_INDEXES,
  SYSTEM_TABLE_NUMBERS,
  USER_TABLE_NUMBERS,
  checkIndex,
  checkTableName,
  isBuiltinIndex,
  isSystemTableName,
} from "./names.js";
import { checkWrites, planCommit, planPrepared, prepareWrites, writesOfPrepared, type CheckedWrite } from "./plan.js";
import { Registry, keyFunction, type RegisteredIndex } from "./registry.js";
import { Snapshot } from "./snapshot.js";
import { commitsOf } from "./other-commits.js";
import { LocalLeases } from "./local-leases.js";

export interface MvccStorageOptions {
  /**
   * One-statement compare-and-set tries a commit makes before it takes the head lock
   * (`Dialect.batchLocked`, where the dialect has it). Default 2; tests force 1 to reach the
   * locked path under little contention.
   */
  readonly fastCommitTries?: number;
}

export class MvccStorage implements Storage {
  private readonly registry = new Registry();
  private closed = false;

  readonly leases: Leases;

  private readonly fastCommitTries: number;

  private constructor(
    readonly dialect: Dialect,
    options: MvccStorageOptions,
  ) {
    this.leases = dialect.leases ?? new LocalLeases();
    this.fastCommitTries = Math.max(1, options.fastCommitTries ?? FAST_COMMIT_TRIES);
  }

  static async open(dialect: Dialect, options: MvccStorageOptions = {}): Promise<MvccStorage> {
    const store = new MvccStorage(dialect, options);
    await store.reload();
    return store;
  }

  /**
   * The writer keeps the head in memory, moved by its own commits (another writer's commit fails
   * its compare-and-set, which reads the head again). Read-only connections read it from the
   * database: at once where the dialect can (`headNow`), else through `sync()`.
   */
  private writerLatest: bigint | null = null;

  /** The newest head this connection has seen: a snapshot at or before it needs no head read. */
  private seenLatest = 0n;

  get otherWriters(): boolean {
    return this.dialect.otherWriters;
  }

  latestTs(): Timestamp {
    if (this.writerLatest !== null) return this.writerLatest as Timestamp;
    const headNow = this.dialect.headNow;
    if (!headNow) return this.seenLatest as Timestamp;
    return this.saw(headNow().latestTs) as Timestamp;
  }

  async sync(): Promise<Timestamp> {
    this.assertOpen();
    // A writer another node may overtake learns of that node's commits (and tells the listeners)
    // rather than jumping its head past them: subscriptions and the OCC log must see every commit.
    if (this.followsOthers) {
      // A head this node already reached needs no catch-up, so the caller need not wait for the
      // commits under way (a mutation then runs while they write, and commits can group).
      const now = await this.freshHead();
      if (now.schemaVersion === this.registry.version && now.latestTs <= (this.writerLatest ?? this.seenLatest))
        return this.latestTs();
      // Callers arriving while a catch-up waits for its turn share it: it reads the head after
      // they called, so it sees every commit finished before them (one head read, not one each).
      this.queuedSync ??= this.writing(() => {
        this.queuedSync = null;
        return this.catchUp();
      });
      await this.queuedSync;
      return this.latestTs();
    }
    const head = await this.dialect.head();
    if (head.schemaVersion !== this.registry.version) await this.reload();
    return this.saw(head.latestTs) as Timestamp;
  }

  private saw(latest: bigint): bigint {
    if (!this.dialect.readonly && (this.writerLatest === null || latest > this.writerLatest))
      this.writerLatest = latest;
    if (latest > this.seenLatest) this.seenLatest = latest;
    return latest;
  }

  /** A writer that shares its database with other writers: its commits and catch-ups take turns. */
  private get followsOthers(): boolean {
    return this.dialect.otherWriters && !this.dialect.readonly;
  }

  private turn: Promise<unknown> = Promise.resolve();

  private headRead: Promise<Head> | null = null;

  /** The head read last sent (one at a time: see `freshHead`). */
  private headReadSent: Promise<unknown> = Promise.resolve();

  /**
   * The database's head, read after this call; callers until the read is sent share it. One read
   * is in flight at a time: callers arriving meanwhile share the next, sent when it returns (under
   * load, one read per round trip instead of one per event-loop turn).
   */
  private freshHead(): Promise<Head> {
    return (this.headRead ??= this.headReadSent
      .then(() => new Promise<void>((r) => setImmediate(r)))
      .then(() => {
        this.headRead = null;
        const read = this.dialect.head();
        this.headReadSent = read.catch(() => {});
        return read;
      }));
  }

  /** A catch-up queued behind the commits under way and not started yet (`sync`). */
  private queuedSync: Promise<void> | null = null;

  /**
   * Runs `body` after every commit and catch-up before it finished (only for a writer that
   * follows others). Commits' `applied` hooks and the other-commit listeners thus see commits
   * in ts order.
   */
  private writing<T>(body: () => Promise<T>): Promise<T> {
    const inTurn = async () => {
      this.inTurn = true;
      try {
        return await body();
      } finally {
        this.inTurn = false;
        for (const release of this.turnEnded) release();
      }
    };
    const run = this.turn.then(inTurn, inTurn);
    this.turn = run.catch(() => {});
    return run;
  }

  /** A commit or catch-up is under way (`writing`). */
  private inTurn = false;
  private readonly turnEnded = new Set<() => void>();

  /** Calls `wake` whenever another connection may have committed (where the dialect can tell). */
  async watchCommits(wake: () => void): Promise<() => Promise<void>> {
    this.assertOpen();
    if (!this.dialect.watch) return async () => {};
    // A notification of a head this connection already reached is its own commit (every commit up
    // to its head is known: its commits compare-and-set from it): no sync needed. One that arrives
    // while a commit is under way is held until it ends: it is most often that commit's own,
    // delivered before the commit's reply (and any other's is learnt by that commit failing its
    // compare-and-set, or by the wake when it ends).
    let held: bigint | null = null;
    const check = (ts: bigint) => {
      if (ts <= (this.writerLatest ?? this.seenLatest)) return;
      if (this.inTurn) held = held === null || ts > held ? ts : held;
      else wake();
    };
    const release = () => {
      const ts = held;
      held = null;
      if (ts !== null) check(ts);
    };
    this.turnEnded.add(release);
    const unwatch = await this.dialect.watch((ts) => (ts === undefined ? wake() : check(ts)));
    return async () => {
      this.turnEnded.delete(release);
      await unwatch();
    };
  }

  private readonly otherCommitListeners = new Set<(commits: readonly OtherCommit[]) => void>();
  private catchingUp: Promise<void> | null = null;

  onOtherCommits(listener: (commits: readonly OtherCommit[]) => void): () => void {
    this.otherCommitListeners.add(listener);
    return () => this.otherCommitListeners.delete(listener);
  }

  /**
   * Learns of the commits other writers made since this writer's head (one catch-up at a time):
   * up to the database's head now, or up to the head a locked commit holds, read on its connection.
   */
  private async catchUp(locked?: { head: Head; reader: LockedReader }): Promise<void> {
    while (this.catchingUp) await this.catchingUp;
    const run = (async () => {
      const known = this.writerLatest ?? this.seenLatest;
      const reader = locked?.reader ?? this.dialect;
      const head = locked?.head ?? (await this.dialect.head());
      if (head.schemaVersion !== this.registry.version) await this.loadRegistry(head.schemaVersion, reader);
      if (head.latestTs <= known) return;
      const commits = commitsOf(await reader.versionsSince(known, head.latestTs), this.registry);
      this.saw(head.latestTs);
      for (const listener of this.otherCommitListeners) listener(commits);
    })();
    this.catchingUp = run;
    try {
      await run;
    } finally {
      this.catchingUp = null;
    }
  }

  snapshot(ts?: Timestamp, committed = false): SnapshotReader {
    this.assertOpen();
    if (ts !== undefined && ts <= this.seenLatest && this.writerLatest === null) return new Snapshot(this, ts);
    // Also where the head is one synchronous read away (SQLite): a function thread would read it
    // once per job only to learn what the caller already knows.
    if (ts !== undefined && committed && this.writerLatest === null) {
      this.saw(ts);
      return new Snapshot(this, ts);
    }
    if (ts !== undefined && this.writerLatest === null && !this.dialect.headNow) {
      // A reader that can't read the head at once checks the timestamp before its first read.
      return new Snapshot(
        this,
        ts,
        this.sync().then((latest) => checkNotFuture(ts, latest)),
      );
    }
    const latest = this.latestTs();
    if (ts !== undefined) checkNotFuture(ts, latest);
    return new Snapshot(this, ts ?? latest);
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    // SQLite's commits go straight through (no extra turn or promise on its hot path).
    return this.followsOthers ? this.writing(() => this.commitNow(request)) : this.commitNow(request);
  }

  private async commitNow(request: CommitRequest): Promise<CommitResult> {
    this.assertWritable();
    // The registry is checked against the head inside the transaction; when another connection
    // changed the schema (or created the table) since we loaded it, reload and plan again. A head
    // another writer moved meanwhile (compare-and-set) is read again by planning again.
    for (let attempt = 0, lost = 0; ;) {
      try {
        const plan = this.plannerFor(request);
        if (plan instanceof Error) throw plan;
        const step = { docs: plan.docs, planner: plan.planner };
        const result = this.locksAfter(lost)
          ? onlyResult(await this.writeLocked([step]))
          : await this.dialect.commit(plan.docs, plan.planner, this.writerLatest ?? undefined, this.registry.version);
        this.saw(result.ts);
        return result;
      } catch (e) {
        if (isTandemError(e) && e.code === "HeadMoved" && (await this.nextTry(++lost))) continue;
        const stale =
          e instanceof StaleRegistry || (isTandemError(e) && e.code === "TableNotFound" && (await this.isStale()));
        if (!stale || attempt++ >= 2) throw e;
        await this.reload();
      }
    }
  }

  /** Whether a commit's try after `lost` lost compare-and-sets takes the head lock. */
  private locksAfter(lost: number): boolean {
    return lost >= this.fastCommitTries && this.dialect.batchLocked !== undefined;
  }

  /**
   * After a commit's `lost`-th lost compare-and-set: false when it gives up (only where the dialect
   * has no locked path), else ready for the next try. A locked try catches up inside its
   * transaction; a one-statement try catches up first, after a pause from the second loss on.
   */
  private async nextTry(lost: number): Promise<boolean> {
    if (this.locksAfter(lost)) return true;
    if (lost > MAX_HEAD_MOVES) return false;
    await headMovedBackoff(lost);
    await this.catchUp();
    return true;
  }

  /**
   * The steps written under the head lock: the head can't move until they are, so the catch-up
   * inside (listeners told of every other commit before the first `accept`) is the last one needed
   * and the write can't be overtaken.
   */
  private writeLocked(steps: readonly BatchStep<CommitResult>[]): Promise<StepOutcome<CommitResult>[]> {
    return this.dialect.batchLocked!(steps, (head, reader) => this.catchUp({ head, reader }));
  }

  async prepare(writes: readonly WriteWithOriginal[]): Promise<PreparedCommit> {
    this.assertOpen();
    try {
      return prepareWrites(writes, this.registry);
    } catch (e) {
      // A table another connection created since we loaded the registry.
      if (!(isTandemError(e) && e.code === "TableNotFound" && (await this.isStale()))) throw e;
      await this.reload();
      return prepareWrites(writes, this.registry);
    }
  }

  /**
   * What the dialect needs to apply one request: the documents whose latest versions to read (none
   * for a request prepared against the current registry) and the planner; or why it can't apply.
   */
  private plannerFor(request: CommitRequest): { docs: DocRef[]; planner: Planner<CommitResult> } | Error {
    const version = this.registry.version;
    const checkHead = (head: Head) => {
      if (head.schemaVersion !== version) throw new StaleRegistry();
    };
    if (request.prepared && request.prepared.schemaVersion === version) {
      const prepared = request.prepared;
      return {
        docs: [],
        planner: (head) => {
          checkHead(head);
          return planPrepared(prepared, request.meta, this.registry, head);
        },
      };
    }
    let writes: CheckedWrite[];
    try {
      writes = checkWrites(request.prepared ? writesOfPrepared(request.prepared) : request.writes, this.registry);
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    return {
      docs: writes.map((w) => w.doc),
      planner: (head, latest) => {
        checkHead(head);
        return planCommit(request, writes, this.registry, head, latest);
      },
    };
  }

  commitMany(
    requests: readonly CommitRequest[],
    hooks: CommitManyHooks = {},
  ): Promise<Array<CommitResult | "skipped" | Error>> {
    return this.followsOthers
      ? this.writing(() => this.commitManyNow(requests, hooks, 0))
      : this.commitManyNow(requests, hooks, 0);
  }

  private async commitManyNow(
    requests: readonly CommitRequest[],
    hooks: CommitManyHooks,
    attempt: number,
  ): Promise<Array<CommitResult | "skipped" | Error>> {
    this.assertWritable();
    const plans = requests.map((r) => this.plannerFor(r));
    const out: Array<CommitResult | "skipped" | Error> = new Array(requests.length);
    const steps: BatchStep<CommitResult>[] = [];
    const at: number[] = [];
    const { accept, applied, discarded } = hooks;
    // Requests whose `applied` ran in the attempt under way (void if it fails with HeadMoved).
    let appliedNow: number[] = [];
    plans.forEach((plan, i) => {
      if (plan instanceof Error) {
        out[i] = plan;
        return;
      }
      at.push(i);
      steps.push({
        docs: plan.docs,
        planner: plan.planner,
        accept: accept && (() => accept(i)),
        applied:
          applied &&
          ((result: CommitResult) => {
            appliedNow.push(i);
            applied(i, result);
          }),
      });
    });
    let outcomes: StepOutcome<CommitResult>[];
    for (let lost = 0; ;) {
      appliedNow = [];
      try {
        outcomes = this.locksAfter(lost)
          ? await this.writeLocked(steps)
          : await this.dialect.batch(steps, this.writerLatest ?? undefined, this.registry.version);
        break;
      } catch (e) {
        // A batch that fails wrote nothing (a failed write rolls it all back, as when the disk is
        // full): the `applied` hooks that ran are void.
        if (appliedNow.length > 0) discarded?.(appliedNow);
        // Another writer committed first: learn of its commits (the listeners see them before
        // `accept` runs again) and try again.
        if (!(isTandemError(e) && e.code === "HeadMoved" && (await this.nextTry(++lost)))) throw e;
      }
    }
    // The head moves once the whole group is durable: a snapshot taken meanwhile (other
    // connections can't see the group before then) stays before it.
    outcomes.forEach((o, j) => {
      if (o !== "skipped" && "result" in o) this.saw(o.result.ts);
      out[at[j]!] =
        o === "skipped"
          ? o
          : "error" in o
            ? o.error instanceof Error
              ? o.error
              : new Error(String(o.error))
            : o.result;
    });
    // Requests planned against a registry another connection changed: reload and apply them again
    // (after the others, each still passing `accept` at its turn).
    const stale = out.flatMap((r, i) => (r instanceof StaleRegistry ? [i] : []));
    if (stale.length > 0) {
      await this.reload();
      if (attempt < 2) {
        const again = await this.commitManyNow(
          stale.map((i) => requests[i]!),
          {
            ...(hooks.accept ? { accept: (j: number) => hooks.accept!(stale[j]!) } : {}),
            ...(hooks.applied ? { applied: (j: number, r: CommitResult) => hooks.applied!(stale[j]!, r) } : {}),
            ...(hooks.discarded
              ? { discarded: (js: readonly number[]) => hooks.discarded!(js.map((j) => stale[j]!)) }
              : {}),
          },
          attempt + 1,
        );
        stale.forEach((i, j) => (out[i] = again[j]!));
      }
    }
    return out;
  }

  tables(): readonly TableInfo[] {
    return this.registry.tables();
  }

  tableByNumber(n: TableNumber): TableInfo | undefined {
    return this.registry.tableByNumber(n);
  }

  async ensureTable(name: string, preferredNumber?: number): Promise<TableInfo> {
    checkTableName(name);
    await this.refreshIfStale();
    const existing = this.registry.table(name);
    if (existing) return existing;
    this.assertWritable();
    const range = isSystemTableName(name) ? SYSTEM_TABLE_NUMBERS : USER_TABLE_NUMBERS;
    const p = preferredNumber;
    // A one-number range: the dialect takes it when free, else reports none left.
    const tryPreferred = p !== undefined && Number.isInteger(p) && p >= range.min && p <= range.max;
    const placed = tryPreferred
      ? await this.dialect.createTable(name, p, p, BUILTIN_INDEXES).catch((e: unknown) => {
          if ((e as { code?: unknown }).code === "InvalidTableName") return null;
          throw e;
        })
      : null;
    if (!placed) await this.dialect.createTable(name, range.min, range.max, BUILTIN_INDEXES);
    await this.reload();
    const created = this.registry.table(name);
    assert(created, `table ${name} vanished after creation`);
    return created;
  }

  indexes(table?: string): readonly IndexInfo[] {
    if (table === undefined) return this.registry.allIndexes();
    const t = this.registry.table(table);
    return t ? this.registry.indexesOf(t.number).map((i) => i.info) : [];
  }

  async addIndex(table: string, name: string, fields: readonly string[]): Promise<IndexInfo> {
    checkIndex(name, fields);
    await this.refreshIfStale();
    const t = this.requireTable(table);
    const existing = this.registry.indexByName(t.number, name);
    if (existing) {
      if (sameFields(existing.info.fields, fields)) return existing.info;
      throw storageError("Conflict", "IndexExists", `Index ${table}.${name} exists with other fields`);
    }
    this.assertWritable();
    const row = await this.dialect.createIndex(t.number, name, [...fields], keyFunction(fields));
    await this.reload();
    const created = this.registry.index(row.id);
    assert(created, `index ${table}.${name} vanished after creation`);
    return created.info;
  }

  async dropIndex(table: string, name: string): Promise<void> {
    if (isBuiltinIndex(name)) throw storageError("BadRequest", "SystemIndex", `Index ${name} can't be dropped`);
    await this.refreshIfStale();
    const t = this.requireTable(table);
    const index = this.registry.indexByName(t.number, name);
    if (!index) return;
    this.assertWritable();
    await this.dialect.dropIndex(index.info.id);
    await this.reload();
  }

  async dropTable(name: string): Promise<void> {
    await this.refreshIfStale();
    const t = this.registry.table(name);
    if (!t) return;
    this.assertWritable();
    await this.dialect.dropTable(t.number);
    await this.reload();
  }

  getMeta(key: string): Promise<string | null> {
    return this.dialect.getMeta(key);
  }

  async setMeta(key: string, value: string | null): Promise<void> {
    this.assertWritable();
    await this.dialect.setMeta(key, value);
  }

  newId(table: string): DocumentId {
    return newDocumentId(this.requireTable(table).number);
  }

  async reload(): Promise<void> {
    this.assertOpen();
    const head = await this.dialect.head();
    if (this.followsOthers) {
      // Past the first load, only a catch-up moves this writer's head (others' commits reported).
      if (this.writerLatest === null) this.writerLatest = head.latestTs;
      if (head.latestTs > this.seenLatest) this.seenLatest = head.latestTs;
    } else this.saw(head.latestTs);
    await this.loadRegistry(head.schemaVersion, this.dialect);
  }

  /** The registry as of schema version `version` (read by `reader`, which sees that version). */
  private async loadRegistry(version: number, reader: Pick<Dialect, "loadRegistry">): Promise<void> {
    const { tables, indexes } = await reader.loadRegistry();
    this.registry.load(tables, indexes, version);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dialect.close();
  }

  /** @internal for Snapshot: the name of a table if the registry knows it. */
  tableNameNow(tableNumber: number): string | undefined {
    return this.registry.tableByNumber(tableNumber)?.name;
  }

  /** @internal for Snapshot: the name of a table, reloading once if another connection created it. */
  async tableNameOf(tableNumber: number): Promise<string> {
    let t = this.registry.tableByNumber(tableNumber);
    if (!t) {
      await this.reload();
      t = this.registry.tableByNumber(tableNumber);
    }
    if (!t) throw storageError("NotFound", "TableNotFound", `Table number ${tableNumber} does not exist`);
    return t.name;
  }

  /**
   * @internal for Snapshot. Index ids are never reused, so a known id is current; an unknown one
   * may have been created by another connection since we loaded the registry.
   */
  async registeredIndex(id: IndexId): Promise<RegisteredIndex | undefined> {
    const known = this.registry.index(id);
    if (known) return known;
    await this.refreshIfStale();
    return this.registry.index(id);
  }

  private async isStale(): Promise<boolean> {
    const head = this.dialect.headNow ? this.dialect.headNow() : await this.dialect.head();
    return head.schemaVersion !== this.registry.version;
  }

  private async refreshIfStale(): Promise<void> {
    this.assertOpen();
    if (await this.isStale()) await this.reload();
  }

  private requireTable(name: string): TableInfo {
    const t = this.registry.table(name);
    if (!t) throw storageError("NotFound", "TableNotFound", `Table ${JSON.stringify(name)} does not exist`);
    return t;
  }

  private assertOpen(): void {
    if (this.closed) throw new TypeError("storage is closed");
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.dialect.readonly)
      throw storageError("Forbidden", "ReadOnlyStorage", "This storage connection is read-only");
  }
}

/**
 * How often one commit may find the head moved by other writers before it gives up, where the
 * dialect has no locked path (`Dialect.batchLocked`); with one, a commit never gives up.
 */
const MAX_HEAD_MOVES = 20;

/** See `MvccStorageOptions.fastCommitTries`. */
const FAST_COMMIT_TRIES = 2;

/** The outcome of a one-step group, as `Dialect.commit` returns it. */
function onlyResult(outcomes: readonly StepOutcome<CommitResult>[]): CommitResult {
  const [outcome] = outcomes;
  if (outcome === undefined || outcome === "skipped") throw new Error("a single commit was skipped");
  if ("error" in outcome) throw outcome.error;
  return outcome.result;
}

/**
 * Before the `moves`-th retry of a commit another writer overtook: none for the first (the usual
 * case is one concurrent commit), then a random wait growing to 64 ms, so nodes that keep
 * overtaking each other spread out instead of failing a mutation after MAX_HEAD_MOVES tries.
 */
function headMovedBackoff(moves: number): Promise<void> | undefined {
  return moves <= 1 ? undefined : sleep(backoffDelay(moves - 2, 1, 64));
}

function checkNotFuture(ts: Timestamp, latest: bigint): void {
  if (ts > latest)
    throw storageError("BadRequest", "TimestampInFuture", `Snapshot ${ts} is later than the latest commit ${latest}`);
}

class StaleRegistry extends Error {
  constructor() {
    super("The table and index registry changed while the commit was being planned; try again.");
  }
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((f, i) => f === b[i]);
}
