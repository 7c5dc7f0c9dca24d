/**
 * Writers on one Postgres that keep overtaking each other: a commit (`commit`, or a group of
 * `commitMany`) that loses its compare-and-set falls back to the head lock, catches up inside it and is written, so no commit
 * fails because others moved the head; every writer learns of every commit, in ts order, and of
 * all those before a commit when its `accept` hook runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { openPostgresStorage, type CommitRequest, type CommitResult, type Storage } from "../src/index.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../test/support/postgres.js";

const available = await postgresAvailable();

const WRITERS = 4;
/** Commit loops per writer (the writer queues their commits, so one is always waiting). */
const LOOPS = 2;
const ROUNDS = 25;

/** What one writer saw: commits in the order it learnt of them, and per commit what it knew at `accept`. */
class Witness {
  /** Every commit this writer knows of (its own applied ones and the others reported to it), as learnt. */
  readonly learnt: bigint[] = [];
  /** Per committed request: its ts and the newest commit the writer knew when `accept` ran. */
  readonly accepted: Array<{ ts: bigint; knew: bigint | undefined }> = [];
  retried = 0;

  constructor(readonly store: Storage) {
    store.onOtherCommits((cs) => this.learnt.push(...cs.map((c) => c.ts)));
  }

  /** One insert by `commit` (its own group, no hooks), learnt when it returns. */
  async single(writer: number, round: number): Promise<void> {
    const id = this.store.newId("t");
    const { ts } = await this.store.commit({
      writes: [{ id, table: "t", value: { _id: id, _creationTime: round, writer, round, k: 0 } }],
    });
    // Nothing else is reported before this runs: the store's next turn starts after it.
    this.learnt.push(ts);
  }

  /** One group: prepared inserts, or inserts planned in the transaction (`writes`), as `prepared` says. */
  async group(writer: number, round: number, prepared: boolean): Promise<void> {
    const size = 1 + (round % 3);
    const requests: CommitRequest[] = [];
    for (let k = 0; k < size; k++) {
      const id = this.store.newId("t");
      const value = { _id: id, _creationTime: round, writer, round, k };
      requests.push(
        prepared
          ? { prepared: await this.store.prepare([{ id, table: "t", value, original: null }]) }
          : { writes: [{ id, table: "t", value }] },
      );
    }
    const knew: Array<bigint | undefined> = [];
    const tries = new Array<number>(size).fill(0);
    const results = await this.store.commitMany(requests, {
      accept: (i) => {
        if (++tries[i]! === 2) this.retried++;
        knew[i] = this.learnt.at(-1);
        return true;
      },
      applied: (_, r) => this.learnt.push(r.ts),
      discarded: (is) => void this.learnt.splice(this.learnt.length - is.length, is.length),
    });
    results.forEach((r, i) => {
      assert.ok(r !== "skipped" && !(r instanceof Error), `writer ${writer} round ${round}: ${String(r)}`);
      this.accepted.push({ ts: (r as CommitResult).ts, knew: knew[i] });
    });
  }
}

test(
  "[postgres] writers overtaking each other on every try all commit, each learning of every commit in order",
  available,
  async () => {
    const { schema, drop } = freshSchema();
    // One one-statement try before the lock: every lost compare-and-set takes the locked path.
    const stores = await Promise.all(
      Array.from({ length: WRITERS }, () => openPostgresStorage({ url: POSTGRES_URL, schema, fastCommitTries: 1 })),
    );
    try {
      await stores[0]!.ensureTable("t");
      for (const s of stores) await s.sync();
      const witnesses = stores.map((s) => new Witness(s));
      await Promise.all(
        witnesses.flatMap((w, writer) =>
          Array.from({ length: LOOPS }, async (_, loop) => {
            for (let round = 0; round < ROUNDS; round++) {
              const kind = (round + loop) % 3;
              if (kind === 2) await w.single(writer, round);
              else await w.group(writer, round, kind === 0);
            }
          }),
        ),
      );
      const head = await stores[0]!.sync();
      for (const s of stores) assert.equal(await s.sync(), head, "every writer reaches the same head");

      // The database's commits: one document each.
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      let all: bigint[];
      try {
        const r = await client.query<{ ts: string }>(`SELECT ts FROM ${schema}.documents ORDER BY ts`);
        all = r.rows.map((row) => BigInt(row.ts));
      } finally {
        await client.end();
      }
      const requests = Array.from({ length: LOOPS }, (_, loop) =>
        Array.from({ length: ROUNDS }, (_, round) => ((round + loop) % 3 === 2 ? 1 : 1 + (round % 3))),
      )
        .flat()
        .reduce((a, b) => a + b, 0);
      assert.equal(all.length, WRITERS * requests, "every request committed once");
      assert.equal(new Set(all).size, all.length, "each at its own ts");
      assert.equal(all.at(-1), head);

      for (const [writer, w] of witnesses.entries()) {
        assert.deepEqual(w.learnt, all, `writer ${writer} learnt of every commit once, in ts order`);
        // When a request's `accept` ran, the writer knew of the commit just before it (so of all
        // before it: the OCC log that `accept` checks was complete).
        for (const { ts, knew } of w.accepted) {
          const before = all[all.indexOf(ts) - 1];
          assert.equal(knew, before, `writer ${writer}: at accept of ${ts} it knew up to ${knew}, not ${before}`);
        }
      }
      const retried = witnesses.reduce((n, w) => n + w.retried, 0);
      assert.ok(retried > 0, "some groups were overtaken (the test had contention)");
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await drop();
    }
  },
);
