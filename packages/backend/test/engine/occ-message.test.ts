/**
 * When a mutation runs out of retries, Convex's message names the document whose change made it
 * fail — the one another mutation wrote, not the failing mutation's own first write.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStorage, type ConvexJSON } from "@tandem/storage";
import { createEngine, type Identity } from "../../src/engine/index.js";
import { bundleConvexDir } from "../support/bundle.js";

const here = dirname(fileURLToPath(import.meta.url));
const none: Identity = { kind: "none" };

test("the OCC failure names the document another mutation changed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tandem-occ-"));
  const storage = await openSqliteStorage({ path: join(dir, "db.sqlite") });
  // No retries: the first conflict is the failure.
  const engine = createEngine({ storage, maxRetries: 0, workers: { sqlitePath: join(dir, "db.sqlite"), count: 2 } });
  t.after(async () => {
    await engine.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const modules = await bundleConvexDir(join(here, "../fixtures/engine-app/convex"));
  const analysis = await engine.analyze(modules, {});
  for (const table of analysis.schema!.tables) {
    await storage.ensureTable(table.tableName);
    for (const i of table.indexes)
      await storage.addIndex(table.tableName, i.indexDescriptor, [...i.fields, "_creationTime", "_id"]);
  }
  await engine.deploy({ version: "v1", modules, analysis });
  const m = (path: string, args: ConvexJSON) => engine.runMutation({ path, args, identity: none });
  const open = async (name: string) => {
    const r = await m("advanced:openAccount", { name });
    assert.ok(r.ok);
    return r.value as string;
  };
  const a = await open("a");
  const b = await open("b");

  // The slow reader of `a` loses to the quick writer of `a` (it conflicts only through `a`).
  let failed: string | null = null;
  for (let i = 0; i < 30 && failed === null; i++) {
    const slow = m("advanced:readAWriteB", { a, b });
    const quick = m("advanced:bump", { a });
    const [s, q] = await Promise.all([slow, quick]);
    assert.ok(q.ok, q.ok ? "" : q.error.message);
    if (!s.ok) failed = s.error.message;
  }
  assert.ok(failed, "no conflict happened in 30 rounds");
  assert.match(failed, /OptimisticConcurrencyControlFailure|changed while this mutation was being run/);
  assert.ok(failed.includes(`"accounts" table`), failed);
  assert.ok(failed.includes(`ID "${a}"`), `names ${a}: ${failed}`);
  assert.ok(!failed.includes(b), `does not name its own write ${b}: ${failed}`);
});
