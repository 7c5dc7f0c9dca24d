/**
 * Following other writers on one Postgres: `sync()` reports every commit another writer made (the
 * head row and the versions are the truth, whether or not a notification came), and commits wake
 * the other connections' watchers through LISTEN/NOTIFY, also after the listening connection died.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { openPostgresStorage, type OtherCommit, type Storage, type Timestamp } from "../src/index.js";
import { commitChannel } from "../src/postgres/commit-channel.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../test/support/postgres.js";

const available = await postgresAvailable();

async function insert(s: Storage, n: number): Promise<Timestamp> {
  const id = s.newId("t");
  return (await s.commit({ writes: [{ id, table: "t", value: { _id: id, _creationTime: n, n } }] })).ts;
}

/** Resolves on the next call of the returned `wake`, or rejects after `ms`. */
function wakeUps() {
  let next: (() => void) | null = null;
  let count = 0;
  return {
    wake: () => {
      count += 1;
      next?.();
    },
    get count() {
      return count;
    },
    next: (ms: number, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no wake-up within ${ms} ms: ${what}`)), ms);
        next = () => {
          clearTimeout(timer);
          next = null;
          resolve();
        };
      }),
  };
}

test(
  "[postgres] sync() reports each commit of another writer once, in ts order, without any wake-up",
  available,
  async () => {
    const { schema, drop } = freshSchema();
    const a = await openPostgresStorage({ url: POSTGRES_URL, schema });
    const b = await openPostgresStorage({ url: POSTGRES_URL, schema });
    try {
      await a.ensureTable("t");
      await b.sync();
      const seen: OtherCommit[] = [];
      a.onOtherCommits((cs) => seen.push(...cs));
      const theirs: Timestamp[] = [];
      for (let n = 0; n < 5; n++) theirs.push(await insert(b, n));
      assert.equal(await a.sync(), theirs.at(-1));
      assert.deepEqual(
        seen.map((c) => c.ts),
        theirs,
      );
      for (const c of seen) {
        assert.deepEqual(c.tables, ["t"]);
        assert.ok(c.indexWrites.length > 0);
      }
      // Its own commits are not reported back; the next of the other writer's is, once.
      const mine = await insert(a, 10);
      const next = await insert(b, 11);
      assert.ok(next > mine);
      await a.sync();
      await a.sync();
      assert.deepEqual(
        seen.map((c) => c.ts),
        [...theirs, next],
      );
      assert.equal(a.latestTs(), next);
    } finally {
      await a.close();
      await b.close();
      await drop();
    }
  },
);

test(
  "[postgres] a commit wakes the other writers' watchers, also after their listening connection died",
  available,
  async () => {
    const { schema, drop } = freshSchema();
    const a = await openPostgresStorage({ url: POSTGRES_URL, schema });
    const b = await openPostgresStorage({ url: POSTGRES_URL, schema });
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    const woken = wakeUps();
    const unwatch = await a.watchCommits(woken.wake);
    try {
      await b.ensureTable("t");
      let wake = woken.next(5000, "a commit");
      await insert(b, 1);
      await wake;
      wake = woken.next(5000, "a meta write");
      await b.setMeta("k", "v");
      await wake;

      // Kill the listening connection: the watcher says so (commits may have gone unnoticed), then listens again.
      const channel = commitChannel(schema);
      wake = woken.next(5000, "the lost connection");
      const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [
        `LISTEN ${channel}`,
      ]);
      assert.equal(killed.rowCount, 1);
      await wake;
      const listening = async () =>
        (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${channel}`])).rowCount === 1;
      for (let i = 0; !(await listening()); i++) {
        assert.ok(i < 250, "the watcher did not listen again");
        await new Promise((r) => setTimeout(r, 20));
      }
      wake = woken.next(5000, "a commit after the reconnect");
      await insert(b, 2);
      await wake;
    } finally {
      await unwatch();
      await admin.end();
      await a.close();
      await b.close();
      await drop();
    }
  },
);
