/**
 * The data folder's filesystem turns read-only under a running backend (issue 24, item 4), as
 * ext4 does on a disk error: writers get a clear error, reads go on, the backend neither crashes
 * nor hangs, and after the operator repairs the filesystem a restart finds every acknowledged
 * write and an intact database.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ConvexHttpClient, type ConvexClient } from "convex/browser";
import { anyApi, type FunctionReference } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, DATABASE_FILE, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce } from "../server/fixture.js";
import { wsClient } from "./crash-load.js";
import { inCi, mountCapability, mountExt4, type Ext4 } from "./filesystems.js";

const api = anyApi;
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const capability = await mountCapability();
const REFUSED = /The database could not be written: the (data folder is read-only|disk reported an I\/O error)/;

const add = (client: ConvexHttpClient | ConvexClient, cid: string) =>
  client.mutation(api.writes!.add as FunctionReference<"mutation">, { cid, writer: "ro", seq: 0 });

async function storedCids(client: ConvexHttpClient): Promise<Set<string>> {
  const stored = new Set<string>();
  let cursor: string | null = null;
  for (;;) {
    const r = (await client.query(api.writes!.page as FunctionReference<"query">, {
      table: "writes",
      paginationOpts: { numItems: 500, cursor },
    })) as {
      page: { cid: string }[];
      isDone: boolean;
      continueCursor: string;
    };
    for (const d of r.page) stored.add(d.cid);
    if (r.isDone) return stored;
    cursor = r.continueCursor;
  }
}

test(
  "a data folder turned read-only under writes: clear errors, reads go on, nothing lost after repair and restart",
  { skip: capability !== null && !inCi() ? capability : false },
  async () => {
    if (capability) assert.fail(`CI must be able to run this test: ${capability}`);
    const fs: Ext4 = await mountExt4(64);
    cleanups.push(() => fs.cleanup());
    const dataDir = join(fs.dir, "data");
    const start = () => startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger, adminKey: "ro|admin-key" });
    let backend: Backend | null = await start();
    cleanups.push(async () => void (await backend?.close()));
    await pushOnce(await copyFixture("soak"), backend);
    let client = new ConvexHttpClient(backend.url);
    const ws = wsClient(backend.url);
    cleanups.push(() => ws.close());
    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      await add(i % 2 ? ws : client, `before-${i}`);
      acked.push(`before-${i}`);
    }
    // synchronous=NORMAL makes a commit durable against a crash of the process, not of the
    // machine: what the OS had not written out when the disk failed is the OS's to lose. Flush it
    // so the test asserts the backend's part only.
    execFileSync("sync");
    await fs.failReadOnly();

    const refused: string[] = [];
    for (let i = 0; i < 3; i++) {
      await assert.rejects(add(client, `refused-${i}`), REFUSED);
      await assert.rejects(add(ws, `refused-ws-${i}`), REFUSED);
      refused.push(`refused-${i}`, `refused-ws-${i}`);
    }
    const during = await storedCids(client);
    assert.deepEqual(
      acked.filter((c) => !during.has(c)),
      [],
      "reads still work and see every acknowledged write",
    );

    await backend.close();
    backend = null;
    await ws.close();
    // Starting on the read-only folder says what is wrong (SQLite alone: "unable to open database file").
    await assert.rejects(
      start(),
      /Cannot open the database .*tandem\.sqlite3: .*read-only.*\. The data folder must be writable\./,
    );
    await fs.repair();
    backend = await start();
    client = new ConvexHttpClient(backend.url);
    await add(client, "after-repair");
    acked.push("after-repair");
    const stored = await storedCids(client);
    assert.deepEqual(
      acked.filter((c) => !stored.has(c)),
      [],
      "every acknowledged write survived",
    );
    assert.deepEqual(
      refused.filter((c) => stored.has(c)),
      [],
      "no refused write was applied",
    );
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
