/**
 * A group of prepared commits on Postgres is planned against the head the writer knows and
 * written by one statement that moves the head only from there (dialect.ts `batchInOneStatement`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { openPostgresStorage, type CommitRequest, type Storage } from "../src/index.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../test/support/postgres.js";

const available = await postgresAvailable();

async function preparedInsert(s: Storage, n: number): Promise<{ id: string; request: CommitRequest }> {
  const id = s.newId("t");
  const prepared = await s.prepare([{ id, table: "t", value: { _id: id, _creationTime: n, n }, original: null }]);
  return { id, request: { prepared } };
}

test(
  "[postgres] a group planned against a head another writer moved writes nothing, voids its hooks, and is written after that commit",
  available,
  async () => {
    const { schema, drop } = freshSchema();
    const a = await openPostgresStorage({ url: POSTGRES_URL, schema });
    const b = await openPostgresStorage({ url: POSTGRES_URL, schema });
    try {
      await a.ensureTable("t");
      await b.sync();
      await a.setMeta("gone", "x");
      // b commits; a does not know yet (no sync), so it plans its group against the older head.
      const other = await preparedInsert(b, 0);
      const otherTs = (await b.commit(other.request)).ts;
      const x = await preparedInsert(a, 1);
      const y = await preparedInsert(a, 2);
      const events: string[] = [];
      a.onOtherCommits((cs) => events.push(`others ${cs.map((c) => (c.ts === otherTs ? "b" : String(c.ts))).join()}`));
      const results = await a.commitMany(
        [
          { ...x.request, meta: [["k", "1"]] },
          {
            ...y.request,
            meta: [
              ["gone", null],
              ["k", "2"],
            ],
          },
        ],
        {
          accept: (i) => (events.push(`accept ${i}`), true),
          applied: (i) => events.push(`applied ${i}`),
          discarded: (is) => events.push(`discarded ${is.join()}`),
        },
      );
      assert.deepEqual(events, [
        "accept 0",
        "applied 0",
        "accept 1",
        "applied 1",
        "discarded 0,1",
        "others b",
        "accept 0",
        "applied 0",
        "accept 1",
        "applied 1",
      ]);
      const [rx, ry] = results.map((r) => {
        if (r === "skipped" || r instanceof Error || r === undefined) throw new Error(`not committed: ${String(r)}`);
        return r.ts;
      });
      assert.ok(otherTs < rx! && rx! < ry!, "the group's commits come after the other writer's, in order");
      assert.equal(await b.sync(), ry, "the head moved once, to the group's last commit");
      const snap = b.snapshot();
      for (const id of [other.id, x.id, y.id]) assert.ok(await snap.get(id as never), `document ${id} committed`);
      assert.equal(await b.getMeta("k"), "2", "the group's meta writes apply in order");
      assert.equal(await b.getMeta("gone"), null);
      // Nothing of the failed attempt was written: each document has one version.
      const older = a.snapshot(otherTs);
      assert.equal(await older.get(x.id as never), null);
    } finally {
      await a.close();
      await b.close();
      await drop();
    }
  },
);

test(
  "[postgres] a group whose registry another writer changed is planned again with the new one",
  available,
  async () => {
    const { schema, drop } = freshSchema();
    const a = await openPostgresStorage({ url: POSTGRES_URL, schema });
    const b = await openPostgresStorage({ url: POSTGRES_URL, schema });
    try {
      await a.ensureTable("t");
      await b.sync();
      const x = await preparedInsert(a, 1);
      // A schema change moves the schema version, not the head's ts: the compare-and-set checks both.
      await b.ensureTable("u");
      const [r] = await a.commitMany([x.request]);
      assert.ok(r && r !== "skipped" && !(r instanceof Error), `committed: ${String(r)}`);
      assert.ok(await b.sync().then(() => b.snapshot().get(x.id as never)));
      assert.ok(
        a.tables().some((t) => t.name === "u"),
        "the writer reloaded the registry",
      );
    } finally {
      await a.close();
      await b.close();
      await drop();
    }
  },
);

test("[postgres] a group that takes the head lock is written there by the same one statement", available, async () => {
  const { schema, drop } = freshSchema();
  // One lost compare-and-set sends the group to the locked path.
  const a = await openPostgresStorage({ url: POSTGRES_URL, schema, fastCommitTries: 1 });
  const b = await openPostgresStorage({ url: POSTGRES_URL, schema });
  const query = pg.Client.prototype.query;
  try {
    await a.ensureTable("t");
    await b.sync();
    await a.setMeta("gone", "x");
    const other = await preparedInsert(b, 0);
    const otherTs = (await b.commit(other.request)).ts;
    const x = await preparedInsert(a, 1);
    const y = await preparedInsert(a, 2);
    const events: string[] = [];
    a.onOtherCommits((cs) => events.push(`others ${cs.map((c) => (c.ts === otherTs ? "b" : String(c.ts))).join()}`));
    const sent: string[] = [];
    (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as string | { name?: string; text?: string };
      sent.push(typeof q === "string" ? q.trim().split(/\s+/).slice(0, 3).join(" ") : (q.name ?? "unnamed"));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as never;
    const results = await a.commitMany(
      [
        { ...x.request, meta: [["k", "1"]] },
        {
          ...y.request,
          meta: [
            ["gone", null],
            ["k", "2"],
          ],
        },
      ],
      { accept: (i) => (events.push(`accept ${i}`), true), discarded: (is) => events.push(`discarded ${is.join()}`) },
    );
    pg.Client.prototype.query = query;
    assert.deepEqual(events, ["accept 0", "accept 1", "others b", "accept 0", "accept 1"]);
    // The lost one-statement try, then: BEGIN with the lock, the catch-up's read, the statement, COMMIT.
    assert.deepEqual(sent, [
      "tandem_commit_notify",
      "BEGIN; SELECT latest_ts,",
      "SELECT d.table_number, d.key,",
      "tandem_commit_notify",
      "COMMIT",
    ]);
    const [rx, ry] = results.map((r) => {
      if (r === "skipped" || r instanceof Error || r === undefined) throw new Error(`not committed: ${String(r)}`);
      return r.ts;
    });
    assert.ok(otherTs < rx! && rx! < ry!, "the group's commits come after the other writer's, in order");
    assert.equal(await b.sync(), ry, "the head moved once, to the group's last commit");
    const snap = b.snapshot();
    for (const id of [other.id, x.id, y.id]) assert.ok(await snap.get(id as never), `document ${id} committed`);
    assert.equal(await b.getMeta("k"), "2", "the group's meta writes apply in order");
    assert.equal(await b.getMeta("gone"), null);
  } finally {
    pg.Client.prototype.query = query;
    await a.close();
    await b.close();
    await drop();
  }
});
