/**
 * `db.vars.commitTs` resolves to the commit's timestamp at commit (and stays a placeholder when
 * read back before it), and `transactionLimits` given to nested `runQuery`/`runMutation` bound
 * the nested call — both as the official `convex/server` code expects. A nested call's
 * `ctx.meta.getFunctionMetadata()` names the callee, not its caller (`@convex-dev/workflow`'s
 * `start` runs the workflow mutation nested and creates its function handle from that name).
 */
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStorage, type Storage, type ConvexJSON } from "@tandem/storage";
import { createEngine, type TandemEngine, type Identity } from "../../src/engine/index.js";
import { bundleConvexDir } from "../support/bundle.js";
import { TIME_DEPENDENT_MAX_AGE_MS } from "../../src/engine/query-cache.js";

const here = dirname(fileURLToPath(import.meta.url));
const none: Identity = { kind: "none" };

function int64(v: unknown): bigint {
  const s = (v as { $integer?: unknown } | null)?.$integer;
  assert.equal(typeof s, "string", `not an int64: ${JSON.stringify(v)}`);
  return Buffer.from(s as string, "base64").readBigInt64LE(0);
}

for (const mode of ["inline", "workers"] as const) {
  describe(`commitTs and nested limits (${mode})`, () => {
    let dir: string;
    let storage: Storage;
    let engine: TandemEngine;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "tandem-commit-ts-"));
      storage = await openSqliteStorage({ path: join(dir, "db.sqlite") });
      engine = createEngine(
        mode === "workers" ? { storage, workers: { sqlitePath: join(dir, "db.sqlite"), count: 1 } } : { storage },
      );
      const modules = await bundleConvexDir(join(here, "../fixtures/engine-app/convex"));
      const analysis = await engine.analyze(modules, {});
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

    async function m(path: string, args: ConvexJSON = {}) {
      const r = await engine.runMutation({ path, args, identity: none });
      assert.equal(r.ok, true, r.ok ? "" : r.error.message);
      return r as { value: ConvexJSON; ts: bigint };
    }
    async function q(path: string) {
      const r = await engine.runQuery({ path, args: {}, identity: none });
      assert.equal(r.ok, true, r.ok ? "" : r.error.message);
      return (r as { value: ConvexJSON }).value;
    }

    test("db.vars.commitTs becomes the commit timestamp, in nested fields and index order too", async () => {
      const first = await m("advanced:stamp", { label: "a" });
      const second = await m("advanced:stamp", { label: "b" });
      assert.equal((first.value as { readBackIsPlaceholder: boolean }).readBackIsPlaceholder, true);
      const docs = (await q("advanced:stamps")) as Array<{ label: string; at: ConvexJSON; nested: { at: ConvexJSON } }>;
      assert.deepEqual(
        docs.map((d) => d.label),
        ["a", "b"],
      );
      assert.equal(int64(docs[0]!.at), BigInt(first.ts));
      assert.equal(int64(docs[0]!.nested.at), BigInt(first.ts));
      assert.equal(int64(docs[1]!.at), BigInt(second.ts));

      // A patch stamps the document again; the index follows the new value.
      const id = (first.value as { id: string }).id;
      const third = await m("advanced:restamp", { id });
      const after = (await q("advanced:stamps")) as Array<{ label: string; at: ConvexJSON }>;
      assert.deepEqual(
        after.map((d) => d.label),
        ["b", "a"],
      );
      assert.equal(int64(after[1]!.at), BigInt(third.ts));
    });

    test("transactionLimits of a nested call bound that call only", async () => {
      for (let i = 0; i < 3; i++) await m("messages:send", { author: "limits", body: `m${i}` });
      const total = (await q("advanced:countMessages")) as number;
      assert.ok(total >= 3);
      const capped = (await m("advanced:countCapped", { limits: { documentsRead: 2 } })).value as { error?: string };
      assert.match(capped.error ?? "", /Too many documents read/);
      const roomy = (await m("advanced:countCapped", { limits: { documentsRead: total } })).value as { n?: number };
      assert.equal(roomy.n, total);
      const bytes = (await m("advanced:countCapped", { limits: { bytesRead: 10 } })).value as { error?: string };
      assert.match(bytes.error ?? "", /Too many bytes read/);
      const queries = (await m("advanced:countCapped", { limits: { databaseQueries: 0 } })).value as { error?: string };
      assert.match(queries.error ?? "", /Too many reads/);
      assert.equal((await m("advanced:countAfterCapped")).value, total);
      const bad = (await m("advanced:countCapped", { limits: { documentsRead: -1 } })).value as { error?: string };
      assert.match(bad.error ?? "", /transactionLimits/);
    });

    test("a query's Date.now() is the time it runs, not its snapshot's, also in a nested query", async () => {
      await m("advanced:stamp", { label: "clock" });
      await new Promise((r) => setTimeout(r, 300));
      for (const path of ["advanced:now", "advanced:nowNested"]) {
        const before = Date.now();
        const r = await engine.runQuery({ path, args: { tag: path }, identity: none });
        assert.equal(r.ok, true, r.ok ? "" : r.error.message);
        const v = (r as { value: number }).value;
        assert.ok(v >= before && v <= Date.now(), `${path}: ${v} not in [${before}, now]`);
      }
    });

    test("a cached result that read the clock (directly or nested) is reused only while young", async () => {
      const realNow = Date.now;
      for (const path of ["advanced:now", "advanced:nowNested"]) {
        const run = async () => {
          const r = await engine.runQuery({ path, args: { tag: "cached" }, identity: none });
          assert.equal(r.ok, true);
          return (r as { value: number }).value;
        };
        const first = await run();
        const hits = engine.queryCacheStats().hits;
        assert.equal(await run(), first, `${path}: reused while young`);
        assert.equal(engine.queryCacheStats().hits, hits + 1);
        try {
          const later = realNow() + TIME_DEPENDENT_MAX_AGE_MS + 1_000;
          Date.now = () => later;
          assert.equal(await run(), later, `${path}: run again once older than the bound`);
        } finally {
          Date.now = realNow;
        }
      }
    });

    test("ctx.meta.getFunctionMetadata names the running function, also in nested calls", async () => {
      assert.deepEqual((await m("advanced:whoCalls")).value, {
        own: "advanced:whoCalls",
        nestedQuery: "advanced:whoAmI",
        nestedMutation: "advanced:whoAmIMutation",
        both: ["advanced:whoAmI", "advanced:whoAmIMutation"],
        after: "advanced:whoCalls",
      });
    });
  });
}
