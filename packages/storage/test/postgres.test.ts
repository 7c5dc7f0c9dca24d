import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { openPostgresStorage, type DocumentId } from "../src/index.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../test/support/postgres.js";
import { runStorageSuite } from "./suite.js";

const available = await postgresAvailable();

runStorageSuite(
  "postgres",
  async () => {
    const { schema, drop } = freshSchema();
    return {
      open: (o) => openPostgresStorage({ url: POSTGRES_URL, schema, readonly: o?.readonly ?? false }),
      dispose: drop,
    };
  },
  available,
);

test(
  "[postgres] migrations are recorded once, a second writer opens the migrated schema, a reader needs them",
  available,
  async () => {
    const { schema, drop } = freshSchema();
    try {
      await assert.rejects(openPostgresStorage({ url: POSTGRES_URL, schema, readonly: true }), /schema version 0/);
      const [a, b] = await Promise.all([
        openPostgresStorage({ url: POSTGRES_URL, schema }),
        openPostgresStorage({ url: POSTGRES_URL, schema }),
      ]);
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const r = await client.query(`SELECT version FROM ${schema}.tandem_migrations ORDER BY version`);
        assert.deepEqual(r.rows, [{ version: 1 }, { version: 2 }, { version: 3 }]);
        // A database written by a newer build is refused rather than misread.
        await client.query(`INSERT INTO ${schema}.tandem_migrations (version, name) VALUES (999, 'future')`);
      } finally {
        await client.end();
      }
      await assert.rejects(openPostgresStorage({ url: POSTGRES_URL, schema }), /newer than this build/);
      await a.close();
      await b.close();
    } finally {
      await drop();
    }
  },
);

test("[postgres] two writers on one database: each commit moves the shared head, none is lost", available, async () => {
  const { schema, drop } = freshSchema();
  const a = await openPostgresStorage({ url: POSTGRES_URL, schema });
  const b = await openPostgresStorage({ url: POSTGRES_URL, schema });
  try {
    await a.ensureTable("t");
    await b.sync();
    const ids: DocumentId[] = [];
    const commits = Array.from({ length: 20 }, (_, n) => {
      const s = n % 2 === 0 ? a : b;
      const id = s.newId("t");
      ids.push(id);
      return s.commit({ writes: [{ id, table: "t", value: { _id: id, _creationTime: n, n } }] });
    });
    const results = await Promise.all(commits);
    const stamps = results.map((r) => r.ts);
    assert.equal(new Set(stamps).size, stamps.length, "every commit has its own timestamp");
    const latest = await a.sync();
    assert.equal(
      latest,
      stamps.reduce((x, y) => (y > x ? y : x)),
    );
    const snap = a.snapshot();
    for (const id of ids) assert.ok(await snap.get(id), `document ${id} committed`);
  } finally {
    await a.close();
    await b.close();
    await drop();
  }
});

test("[postgres] a bad schema name is refused before anything is sent", async () => {
  await assert.rejects(openPostgresStorage({ url: POSTGRES_URL, schema: "x; DROP TABLE y" }), TypeError);
});
