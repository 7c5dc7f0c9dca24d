/** The real engine (SQLite storage) with the fixture app of app/convex deployed. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStorage } from "@tandem/storage";
import { createEngine, type TandemEngine } from "../../src/engine/index.js";
import { bundleConvexDir } from "../support/bundle.js";

const here = dirname(fileURLToPath(import.meta.url));

export async function startRealEngine(
  options: { workers?: boolean } = {},
): Promise<{ engine: TandemEngine; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "tandem-sync-"));
  const storage = await openSqliteStorage({ path: join(dir, "db.sqlite") });
  const engine = createEngine(
    options.workers ? { storage, workers: { sqlitePath: join(dir, "db.sqlite") } } : { storage },
  );
  const modules = await bundleConvexDir(join(here, "app/convex"));
  const analysis = await engine.analyze(modules, {});
  for (const t of analysis.schema!.tables) {
    await storage.ensureTable(t.tableName);
    for (const i of t.indexes)
      await storage.addIndex(t.tableName, i.indexDescriptor, [...i.fields, "_creationTime", "_id"]);
  }
  await engine.deploy({ version: "v1", modules, analysis });
  return {
    engine,
    async close() {
      await engine.close();
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
