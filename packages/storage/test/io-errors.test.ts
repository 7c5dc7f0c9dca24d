/** The machine's refusals (full disk, read-only or failing filesystem) become clear storage errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTandemError } from "@tandem/shared";
import { machineError, openError } from "../src/sqlite/io-errors.js";

const sqlite = (code: string) => Object.assign(new Error("disk I/O error"), { code });

test("SQLITE_FULL, SQLITE_READONLY* and SQLITE_IOERR* become 503 storage errors; others pass through", () => {
  const cases: [string, string, RegExp][] = [
    ["SQLITE_FULL", "StorageFull", /disk holding the data folder is full/],
    ["SQLITE_READONLY", "StorageReadOnly", /read-only/],
    ["SQLITE_READONLY_DBMOVED", "StorageReadOnly", /read-only/],
    ["SQLITE_IOERR_WRITE", "StorageIoError", /I\/O error \(SQLITE_IOERR_WRITE\)/],
  ];
  for (const [code, expected, message] of cases) {
    const e = machineError(sqlite(code));
    assert.ok(isTandemError(e), code);
    assert.equal(e.code, expected);
    assert.equal(e.status, 503);
    assert.match(e.message, message);
  }
  // An I/O error on a disk with room left stays an I/O error (a full one is named full: disk-full.test.ts).
  const io = machineError(sqlite("SQLITE_IOERR_SHMSIZE"), join(tmpdir(), "db.sqlite3"));
  assert.ok(isTandemError(io));
  assert.equal(io.code, "StorageIoError");
  const other = sqlite("SQLITE_CONSTRAINT_UNIQUE");
  assert.equal(machineError(other), other);
  const plain = new TypeError("x");
  assert.equal(machineError(plain), plain);
});

test("a database that cannot be opened for writing says why, naming the folder", () => {
  // The read-only filesystem itself is covered by backend/test/soak/read-only-disk.test.ts (root only).
  const e = openError("/nonexistent-tandem-folder/db.sqlite3", sqlite("SQLITE_CANTOPEN"));
  assert.ok(isTandemError(e));
  assert.equal(e.code, "StorageReadOnly");
  assert.equal(
    e.message,
    "Cannot open the database /nonexistent-tandem-folder/db.sqlite3: its folder does not exist. The data folder must be writable.",
  );
  const other = new Error("x");
  assert.equal(openError("/x/db", other), other);
  assert.equal(machineError(openError("/x/db", sqlite("SQLITE_FULL"))) instanceof Error, true);
});
