/** `tandem serve --db postgres://…`: the services start on Postgres; an unreachable one is a clear error. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { runCli } from "../src/program.js";
import { startServe } from "./support/serve-process.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../test/support/postgres.js";

const available = await postgresAvailable();

test("tandem serve --db postgres://…?schema=… keeps the backend's data in that schema", available, async () => {
  const { schema, drop } = freshSchema();
  const data = await mkdtemp(join(tmpdir(), "tandem-serve-pg-"));
  const db = `${POSTGRES_URL}?schema=${schema}`;
  const server = startServe(["--data", data, "--db", db]);
  try {
    const { api } = await server.ready;
    assert.match(server.output(), new RegExp(`Data\\s+Postgres .* schema ${schema}`));
    assert.match(await (await fetch(`${api}/version`)).text(), /^tandem-/);
    // The backend's schema (and the env vars serve writes at start) are in the schema named.
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const migrated = await client.query(`SELECT version FROM ${schema}.tandem_migrations`);
      assert.deepEqual(migrated.rows, [{ version: 1 }, { version: 2 }, { version: 3 }]);
      const written = await client.query(
        `SELECT (SELECT latest_ts FROM ${schema}.head) AS ts, (SELECT count(*)::int FROM ${schema}.meta) AS meta`,
      );
      const row = written.rows[0] as { ts: string; meta: number };
      assert.ok(BigInt(row.ts) > 0n || row.meta > 0, `something was written: ${JSON.stringify(row)}`);
    } finally {
      await client.end();
    }
  } finally {
    const code = await server.stop();
    await drop();
    assert.equal(code, 0, server.output());
  }
});

test("tandem serve --db with an unreachable Postgres fails with a clear message that hides the password", async () => {
  const lines: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  const data = await mkdtemp(join(tmpdir(), "tandem-serve-pg-down-"));
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  const args = [
    "serve",
    "--data",
    data,
    "--db",
    "postgres://app:s3cret@127.0.0.1:1/app",
    "--port",
    "0",
    "--site-port",
    "0",
    "--identity-port",
    "0",
    "--dashboard-port",
    "0",
  ];
  assert.equal(await runCli(args, io), 1);
  const text = lines.join("\n");
  assert.match(text, /Could not open Postgres at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app/);
  assert.doesNotMatch(text, /s3cret/);
  assert.equal(await runCli(["serve", "--data", data, "--db", "postgres://h/db?schema=Bad-Name"], io), 1);
  assert.match(lines.join("\n"), /schema "Bad-Name" must be lower-case/);
});
