import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStorage } from "../src/index.js";
import { runStorageSuite } from "./suite.js";

runStorageSuite("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tandem-storage-"));
  const path = join(dir, "db.sqlite");
  return {
    open: (o) => openSqliteStorage({ path, readonly: o?.readonly ?? false }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
