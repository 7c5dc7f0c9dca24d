/**
 * A full disk under the data folder (issue 24, item 4): writers get a clear error, reads go on,
 * nothing is corrupted, and writes work again once space returns — no restart needed.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { openSync, writeSync, closeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ConvexHttpClient, type ConvexClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import type { Logger } from "@tandem/shared";
import { startBackend, DATABASE_FILE, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce } from "../server/fixture.js";
import { wsClient } from "./crash-load.js";
import { inCi, mountCapability, mountTmpfs, type Mounted } from "./filesystems.js";

const api = anyApi;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const capability = await mountCapability();

/** Keeps the messages of error logs: the operator must hear of a full disk too. */
const errors: string[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error: (msg, fields) => void errors.push(`${msg} ${String(fields?.error)}`),
  child: () => logger,
};

/** Fills the filesystem with one file until the kernel says ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
  } finally {
    closeSync(fd);
  }
}

const FULL = /the disk holding the data folder is full/;
const add = (client: ConvexHttpClient | ConvexClient, cid: string, pad = "") =>
  client.mutation(api.writes!.add as FunctionReference<"mutation">, { cid, writer: "disk", seq: 0, pad });

test(
  "a full disk: writers get a clear error, reads go on, writes resume when space returns, nothing corrupted",
  { skip: capability !== null && !inCi() ? capability : false },
  async () => {
    if (capability) assert.fail(`CI must be able to run this test: ${capability}`);
    const fs: Mounted = await mountTmpfs(48);
    cleanups.push(() => fs.cleanup());
    const dataDir = join(fs.dir, "data");
    let backend: Backend | null = await startBackend({
      dataDir,
      port: 0,
      sitePort: 0,
      logger,
      adminKey: "disk|admin-key",
    });
    cleanups.push(async () => void (await backend?.close()));
    const app = await copyFixture("soak");
    await pushOnce(app, backend);
    const client = new ConvexHttpClient(backend.url);
    await client.mutation(api.bank!.init as FunctionReference<"mutation">, { accounts: 2, balance: 100 });
    const transfer = (c: ConvexHttpClient | ConvexClient, cid: string) =>
      c.mutation(api.bank!.transfer as FunctionReference<"mutation">, { cid, from: "a0", to: "a1", amount: 1 });
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      await add(client, `before-${i}`);
      acked.push(`before-${i}`);
    }

    const filler = join(fs.dir, "filler");
    fill(filler);
    // SQLite may still have room in pages it already owns: write until the disk says no.
    const pad = "x".repeat(8 * 1024);
    let refusal: unknown = null;
    const refused: string[] = [];
    for (let i = 0; i < 2000 && refusal === null; i++) {
      try {
        await add(client, `full-${i}`, pad);
        acked.push(`full-${i}`);
      } catch (e) {
        refusal = e;
        refused.push(`full-${i}`);
      }
    }
    assert.ok(refusal, "a write on a full disk is refused");
    assert.match(String(refusal), FULL, "the writer is told the disk is full");
    // More writes are refused the same way, over HTTP and over the WebSocket, and none hang.
    const ws = wsClient(backend.url);
    cleanups.push(() => ws.close());
    for (let i = 0; i < 3; i++) {
      await assert.rejects(add(client, `refused-${i}`, pad), FULL);
      await assert.rejects(add(ws, `refused-ws-${i}`, pad), FULL);
      refused.push(`refused-${i}`, `refused-ws-${i}`);
    }
    await assert.rejects(transfer(client, "refused-transfer"), FULL);
    assert.ok(
      errors.some((e) => FULL.test(e)),
      `the server logged the full disk: ${JSON.stringify(errors.slice(0, 3))}`,
    );
    // Reads still work.
    const summary = await client.query(api.bank!.summary as FunctionReference<"query">, {});
    assert.ok(summary);

    await rm(filler);
    // Space is back: both transports write again, without a restart, including the mutation that
    // touches what a refused commit had written (the refused commit must leave no trace, not even in
    // the engine's conflict log).
    assert.equal(await transfer(ws, "after-transfer"), 1);
    for (let i = 0; i < 10; i++) {
      await add(client, `after-${i}`);
      await add(ws, `after-ws-${i}`);
      acked.push(`after-${i}`, `after-ws-${i}`);
    }
    const stored = new Set<string>();
    let cursor: string | null = null;
    for (;;) {
      const r = (await client.query(api.writes!.page as FunctionReference<"query">, {
        table: "writes",
        paginationOpts: { numItems: 500, cursor },
      })) as { page: { cid: string }[]; isDone: boolean; continueCursor: string };
      for (const d of r.page) stored.add(d.cid);
      if (r.isDone) break;
      cursor = r.continueCursor;
    }
    assert.deepEqual(
      acked.filter((c) => !stored.has(c)),
      [],
      "every acknowledged write is there",
    );
    assert.deepEqual(
      refused.filter((c) => stored.has(c)),
      [],
      "no refused write is there",
    );
    const bank = (await client.query(api.bank!.summary as FunctionReference<"query">, {})) as {
      total: number;
      balances: Record<string, number>;
      transfers: number;
    };
    assert.deepEqual(bank, { total: 200, balances: { a0: 99, a1: 101 }, transfers: 1 });
    await backend.close();
    backend = null;
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
    } finally {
      db.close();
    }
  },
);
