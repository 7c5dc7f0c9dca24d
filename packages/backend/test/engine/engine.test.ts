import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStorage, type Storage, type ConvexJSON } from "@tandem/storage";
import { createEngine, type TandemEngine, type Identity } from "../../src/engine/index.js";
import { bundleConvexDir } from "../support/bundle.js";

const here = dirname(fileURLToPath(import.meta.url));
for (const mode of ["inline", "workers"] as const) {
  describe(`engine (${mode})`, () => {
    const none: Identity = { kind: "none" };
    let dir: string;
    let storage: Storage;
    let engine: TandemEngine;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "tandem-engine-"));
      storage = await openSqliteStorage({ path: join(dir, "db.sqlite") });
      engine = createEngine(
        mode === "workers"
          ? {
              storage,
              workers: {
                sqlitePath: join(dir, "db.sqlite"),
                count: 2,
                // Convex's limits scaled down: 10 min per action, a thread set aside after 5 s silent.
                actions: { timeoutMs: 20_000, blockedAfterMs: 500 },
              },
            }
          : { storage },
      );
      const modules = await bundleConvexDir(join(here, "../fixtures/engine-app/convex"));
      const analysis = await engine.analyze(modules, {});
      // The push API creates schema indexes; here we do it directly.
      for (const t of analysis.schema!.tables) {
        await storage.ensureTable(t.tableName);
        for (const i of t.indexes)
          await storage.addIndex(t.tableName, i.indexDescriptor, [...i.fields, "_creationTime", "_id"]);
      }
      await engine.deploy({ version: "v1", modules, analysis });
    });

    after(async () => {
      await engine.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const q = (path: string, args: ConvexJSON = {}) => engine.runQuery({ path, args, identity: none });
    const m = (path: string, args: ConvexJSON = {}) => engine.runMutation({ path, args, identity: none });
    function ok<T>(r: { ok: boolean; value?: unknown; error?: { message: string } }): T {
      assert.equal(r.ok, true, r.ok ? "" : r.error!.message);
      return r.value as T;
    }

    test("analysis finds queries, mutations, actions and visibility", async () => {
      const analysis = engine.current()!.analysis;
      const fns = analysis.modules.find((x) => x.path === "messages.js")!.functions;
      const byName = Object.fromEntries(fns.map((f) => [f.name, f]));
      assert.equal(byName.list!.kind, "query");
      assert.equal(byName.send!.kind, "mutation");
      assert.equal(byName.callEverything!.kind, "action");
      assert.equal(byName.secret!.visibility, "internal");
      assert.ok(analysis.schema!.tables.some((t) => t.tableName === "messages"));
    });

    test("insert, get, patch, replace, delete and queries through indexes", async () => {
      const id = ok<string>(await m("messages:send", { author: "ada", body: "hello", n: 1 }));
      ok(await m("messages:send", { author: "bob", body: "yo", n: 5 }));
      ok(await m("messages:send", { author: "ada", body: "again", n: 3 }));
      const doc = ok<Record<string, unknown>>(await q("messages:get", { id }));
      assert.equal(doc.body, "hello");
      assert.equal(typeof doc._creationTime, "number");
      const ada = ok<{ body: string }[]>(await q("messages:byAuthor", { author: "ada" }));
      assert.deepEqual(
        ada.map((d) => d.body),
        ["again", "hello"],
      );
      const mid = ok<{ n: number }[]>(await q("messages:range", { lo: 2, hi: 6 }));
      assert.deepEqual(
        mid.map((d) => d.n),
        [3, 5],
      );
      const filtered = ok<{ n: number }[]>(await q("messages:filtered", { min: 3 }));
      assert.deepEqual(filtered.map((d) => d.n).sort(), [3, 5]);
      assert.deepEqual(ok(await q("messages:firstAndUnique", { author: "bob" })), { first: "hello", unique: "yo" });
      const edited = ok<Record<string, unknown>>(await m("messages:edit", { id, body: "edited" }));
      assert.equal(edited.body, "edited");
      assert.equal("n" in edited, false);
      const swapped = ok<Record<string, unknown>>(await m("messages:swap", { id }));
      assert.equal(swapped.author, "replaced");
      assert.equal(swapped._id, id);
      assert.equal(ok(await m("messages:remove", { id })), null);
      assert.equal(ok(await q("messages:get", { id })), null);
      assert.equal(ok(await q("messages:normalize", { s: "nope" })), null);
    });

    test("a failing mutation writes nothing and reports ConvexError data", async () => {
      const before = ok<unknown[]>(await q("messages:list")).length;
      const r = await m("messages:failAfterWrite");
      assert.equal(r.ok, false);
      assert.deepEqual(!r.ok && r.error.data, { code: 42 });
      assert.equal(ok<unknown[]>(await q("messages:list")).length, before);
    });

    test("a return value that does not match `returns` fails the mutation and commits nothing", async () => {
      const r = await m("messages:wrongReturn");
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.error.message : "", /^ReturnsValidationError: /);
      assert.deepEqual(ok<unknown[]>(await q("messages:byAuthor", { author: "wrongReturn" })), []);
    });

    test("schema, argument and visibility errors have Convex's texts", async () => {
      const bad = await m("messages:badSchema");
      assert.equal(bad.ok, false);
      assert.match(
        !bad.ok ? bad.error.message : "",
        /Failed to insert or update a document in table "messages" because it does not match the schema/,
      );
      const args = await m("messages:send", { author: 1, body: "x" });
      assert.match(!args.ok ? args.error.message : "", /^ArgumentValidationError: /);
      const hidden = await q("messages:secret");
      assert.match(!hidden.ok ? hidden.error.message : "", /Could not find public function for 'messages:secret'/);
      const kind = await q("messages:send", { author: "a", body: "b" });
      assert.match(!kind.ok ? kind.error.message : "", /as Query, but it is defined as Mutation/);
      const internal = await engine.runQuery({
        path: "messages:secret",
        args: {},
        identity: { kind: "admin" },
        allowInternal: true,
      });
      assert.equal(ok(internal), "internal");
    });

    test("queries are deterministic and cannot fetch", async () => {
      const c = ok<{ a: number; b: number; r1: number; r2: number }>(await q("messages:clock"));
      assert.equal(c.a, c.b);
      assert.notEqual(c.r1, c.r2);
      const f = await q("messages:tryFetch");
      assert.match(!f.ok ? f.error.message : "", /Can't use fetch\(\) in queries and mutations/);
    });

    test("the Web Crypto API and binary data work in mutations and actions as in Convex's runtime", async () => {
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      const first = ok<Record<string, unknown>>(await m("webapis:inMutation"));
      const second = ok<Record<string, unknown>>(await m("webapis:inMutation"));
      const acted = await engine.runAction({ path: "webapis:inAction", args: {}, identity: none });
      for (const r of [first, second, ok<Record<string, unknown>>(acted)]) {
        assert.deepEqual(
          { ...r, uuid: null },
          {
            saltBytes: 16,
            saltIsRandom: true,
            uuid: null,
            encodedIsUint8Array: true,
            keyIsCryptoKey: true,
            signatureIsArrayBuffer: true,
            digestBytes: 32,
            decoded: "payload",
          },
        );
        assert.match(r.uuid as string, uuid);
      }
      assert.notEqual(first.uuid, second.uuid, "each execution draws fresh randomness");
    });

    test("pagination walks every document once, in index order", async () => {
      for (let i = 10; i < 25; i++) ok(await m("messages:send", { author: "p", body: `b${i}`, n: i }));
      const seen: number[] = [];
      let cursor: string | null = null;
      type Page = { page: { n?: number }[]; isDone: boolean; continueCursor: string };
      for (let guard = 0; guard < 20; guard++) {
        // Annotated: `cursor` feeds the call and is assigned from `r` below, a cycle inference can't break.
        const r: Page = ok<Page>(await q("messages:page", { paginationOpts: { numItems: 4, cursor } }));
        seen.push(...r.page.map((d) => d.n ?? -1));
        if (r.isDone) break;
        cursor = r.continueCursor;
      }
      const sorted = [...seen].sort((a, b) => a - b);
      assert.deepEqual(seen, sorted);
      assert.equal(new Set(seen).size, seen.length);
      assert.ok(seen.includes(10) && seen.includes(24));
    });

    test("a document patched while a scan is open is still seen by that scan", async () => {
      ok(await m("messages:seedScan"));
      assert.deepEqual(
        ok(await m("messages:patchDuringScan")),
        Array.from({ length: 40 }, (_, i) => 100 + i),
      );
    });

    test("a page of zero items reads nothing and does not move the cursor", async () => {
      const first = ok<{ page: unknown[]; continueCursor: string; isDone: boolean }>(
        await q("messages:page", { paginationOpts: { numItems: 0, cursor: null } }),
      );
      assert.deepEqual(first.page, []);
      assert.equal(first.isDone, false);
      const next = ok<{ page: { n?: number }[] }>(
        await q("messages:page", { paginationOpts: { numItems: 3, cursor: first.continueCursor } }),
      );
      const all = ok<{ page: { n?: number }[] }>(
        await q("messages:page", { paginationOpts: { numItems: 3, cursor: null } }),
      );
      assert.deepEqual(
        next.page.map((d) => d.n),
        all.page.map((d) => d.n),
      );
    });

    test("ConvexError data survives a nested runMutation; actions have Node's common globals; write limits", async () => {
      assert.deepEqual(ok(await m("messages:catchesNested")), { type: "object", data: { kind: "x", n: 1 } });
      assert.equal(
        ok(await engine.runAction({ path: "messages:nodeGlobals", args: {}, identity: none })),
        "aGk=:function:string",
      );
      const big = await m("messages:tooLongArray");
      assert.equal(big.ok, false);
      assert.match(!big.ok ? big.error.message : "", /8193/);
    });

    test("actions run queries and mutations", async () => {
      const r = await engine.runAction({ path: "messages:callEverything", args: { author: "act" }, identity: none });
      assert.equal(ok(r), 1);
    });

    test("concurrent transfers are serializable: totals conserved, no lost update", async () => {
      const admin: Identity = { kind: "admin" };
      const bump = (name: string, delta: bigint) =>
        engine.runMutation({
          path: "messages:bump",
          args: { name, delta: { $integer: int64(delta) } },
          identity: admin,
          allowInternal: true,
        });
      ok(await bump("a", 1000n));
      ok(await bump("b", 1000n));
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        const [from, to] = i % 2 ? ["a", "b"] : ["b", "a"];
        ops.push(m("messages:transfer", { from, to, amount: { $integer: int64(BigInt(i % 7)) } }).then(ok));
        ops.push(bump("a", 1n).then(ok));
      }
      await Promise.all(ops);
      const accounts = ok<{ name: string; balance: { $integer: string } }[]>(await q("messages:accounts"));
      const bal = Object.fromEntries(
        accounts.map((x) => [x.name, Buffer.from(x.balance.$integer, "base64").readBigInt64LE()]),
      );
      // Transfers conserve a+b; each of the 60 bumps adds exactly one (no lost update).
      assert.equal(bal.a! + bal.b!, 2060n);
      assert.ok(engine.occRetries >= 0);
    });

    test("a function that loops forever is stopped and others keep being served", async () => {
      const started = Date.now();
      const r = await q("messages:spin");
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.error.message : "", /timed out/);
      // Stopped by the time limit (1 s) plus the thread-replacement grace, with room for a loaded machine.
      assert.ok(Date.now() - started < 20_000);
      assert.equal((await q("messages:list")).ok, true);
      if (mode !== "workers") return;
      // In worker threads, code that loops after an await is stopped too (its thread is replaced).
      for (const [path, run] of [
        ["messages:spinAfterAwait", q],
        ["messages:spinInMutation", m],
      ] as const) {
        const t0 = Date.now();
        const r2 = await run(path);
        assert.equal(r2.ok, false, path);
        assert.match(!r2.ok ? r2.error.message : "", /timed out/);
        assert.ok(Date.now() - t0 < 20_000);
      }
      assert.ok(engine.workersReplaced >= 2);
      // An action that never yields: its thread is set aside, other actions are served by another,
      // and it fails at the action time limit, as on Convex; then its thread is terminated.
      const t1 = Date.now();
      const before = engine.workersReplaced;
      const spinning = engine.runAction({ path: "messages:spinAction", args: {}, identity: none });
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal((await q("messages:list")).ok, true);
      assert.equal(
        ok(
          await engine.runAction({ path: "messages:callEverything", args: { author: "during-spin" }, identity: none }),
        ),
        1,
      );
      const sa = await spinning;
      assert.equal(sa.ok, false);
      assert.match(!sa.ok ? sa.error.message : "", /timed out/);
      assert.ok(Date.now() - t1 < 60_000);
      for (let i = 0; engine.workersReplaced === before && i < 100; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(engine.workersReplaced > before, "the spinning thread is terminated");
      assert.equal(
        ok(await engine.runAction({ path: "messages:callEverything", args: { author: "after-spin" }, identity: none })),
        1,
      );
      const all = ok<{ author: string }[]>(await q("messages:list"));
      assert.equal(
        all.some((d) => d.author === "spin"),
        false,
      );
    });

    test("an action computing without yielding past the blocked threshold completes, and one beside it too", async () => {
      if (mode !== "workers") return;
      // Three times the threshold (500 ms here, 5 s by default): Convex lets an action compute
      // for its whole time limit, and pure-JS scrypt on a loaded machine takes seconds.
      const slow = engine.runAction({ path: "messages:computeAction", args: { ms: 1500 }, identity: none });
      await new Promise((r) => setTimeout(r, 900));
      const beside = engine.runAction({ path: "messages:callEverything", args: { author: "beside" }, identity: none });
      assert.equal(ok(await slow), 1500);
      assert.equal(ok(await beside), 1);
    });

    test("a query over a table that does not exist yet depends on its creation", async () => {
      const r = await engine.runQuery({ path: "messages:list", args: {}, identity: none });
      assert.equal(r.ok, true);
      const notices: { index: number }[][] = [];
      const off = engine.onCommit((n) => notices.push([...n.writes]));
      ok(await m("messages:send", { author: "t", body: "x" }));
      off();
      // Every commit marks the tables it wrote into on the catalog index (-1).
      assert.ok(notices.some((w) => w.some((x) => x.index === -1)));
    });
  });
}

function int64(n: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b.toString("base64");
}
