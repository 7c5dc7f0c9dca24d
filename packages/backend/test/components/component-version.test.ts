/**
 * A push that changes only a component (its schema and code; the app's own files stay the same)
 * takes effect: on the inline engine (no function threads), the component's writes are checked
 * against its new schema.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { copyComponentFixture } from "./fixture.js";

let backend: Backend;
let app: string;
const deployment = () => ({ url: backend.url, adminKey: backend.adminKey });

before(async () => {
  app = await copyComponentFixture("components", ["sharded-counter"]);
  backend = await startBackend({
    dataDir: await tempDir("component-version"),
    port: 0,
    sitePort: 0,
    workers: 0,
    logger: silentLogger,
  });
  await pushOnce(app, deployment());
});

after(async () => {
  await backend?.close();
});

test("a component-only schema change takes effect for the component's writes", async () => {
  const write = await runConvex(app, ["run", "--component", "failing", "lib:write", '{"note":"before"}'], deployment());
  assert.equal(write.code, 0, write.output);
  const schemaPath = join(app, "convex", "failing", "schema.ts");
  await writeFile(
    schemaPath,
    (await readFile(schemaPath, "utf8")).replace(
      "{ note: v.string() }",
      "{ note: v.string(), extra: v.optional(v.number()) }",
    ),
  );
  await appendFile(
    join(app, "convex", "failing", "lib.ts"),
    `\nexport const writeExtra = mutation({ args: {}, handler: async (ctx) => ctx.db.insert("counters", { note: "extra", extra: 1 }) });\n`,
  );
  await pushOnce(app, deployment());
  const r = await runConvex(app, ["run", "--component", "failing", "lib:writeExtra", "{}"], deployment());
  assert.equal(r.code, 0, r.output);
});
