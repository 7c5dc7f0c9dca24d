/** `--db`: the Postgres URL's own options (`schema`, `fastCommitTries`) leave the connection URL. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { databaseOf } from "../src/commands/serve.js";

test("--db takes schema and fastCommitTries from the URL's query", () => {
  assert.deepEqual(databaseOf("postgres://u:p@db.example:5432/app?schema=tandem&fastCommitTries=1"), {
    kind: "postgres",
    url: "postgres://u:p@db.example:5432/app",
    schema: "tandem",
    fastCommitTries: 1,
  });
  assert.deepEqual(databaseOf("postgres://db.example/app?sslmode=require"), {
    kind: "postgres",
    url: "postgres://db.example/app?sslmode=require",
  });
  for (const bad of ["0", "-1", "1.5", "x", "100", ""])
    assert.throws(() => databaseOf(`postgres://db.example/app?fastCommitTries=${bad}`), /fastCommitTries/);
});
