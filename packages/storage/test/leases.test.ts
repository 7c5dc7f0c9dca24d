/**
 * Leases (docs/scale-out.md#leases): two writers on one Postgres contend for one name — only one
 * holds it while it is live, its holder renews it, another takes it once it expired or was
 * released; `holders` lists the live ones under a prefix. A SQLite store keeps them in memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPostgresStorage, openSqliteStorage, type Leases } from "../src/index.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../test/support/postgres.js";

const available = await postgresAvailable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function contend(one: Leases, two: Leases): Promise<void> {
  assert.equal(await one.acquire("leader/x", "one", 400), true);
  assert.equal(await two.acquire("leader/x", "two", 400), false, "held by another");
  assert.equal(await one.acquire("leader/x", "one", 400), true, "renewed by its holder");
  assert.deepEqual([...(await two.holders("leader/"))], ["one"]);
  await sleep(500);
  assert.deepEqual([...(await two.holders("leader/"))], [], "expired");
  assert.equal(await two.acquire("leader/x", "two", 10_000), true, "taken once expired");
  assert.equal(await one.acquire("leader/x", "one", 10_000), false);
  await one.release("leader/x", "one"); // not its holder: nothing happens
  assert.deepEqual([...(await one.holders("leader/"))], ["two"]);
  await two.release("leader/x", "two");
  assert.equal(await one.acquire("leader/x", "one", 10_000), true, "taken at once when released");
  await one.acquire("node/a", "a", 10_000);
  await two.acquire("node/b", "b", 10_000);
  assert.deepEqual([...(await one.holders("node/"))].sort(), ["a", "b"]);
}

test("two writers on one Postgres share leases", available, async () => {
  const { schema, drop } = freshSchema();
  const one = await openPostgresStorage({ url: POSTGRES_URL, schema });
  const two = await openPostgresStorage({ url: POSTGRES_URL, schema });
  try {
    await contend(one.leases, two.leases);
  } finally {
    await one.close();
    await two.close();
    await drop();
  }
});

test("a SQLite store keeps its leases in memory", async () => {
  const s = await openSqliteStorage({ path: join(await mkdtemp(join(tmpdir(), "tandem-leases-")), "db.sqlite3") });
  try {
    await contend(s.leases, s.leases);
  } finally {
    await s.close();
  }
});
