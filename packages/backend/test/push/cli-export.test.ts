/**
 * `npx convex export` (official CLI 1.48.0) writes a snapshot zip whose `<table>/documents.jsonl`
 * hold the documents, and `npx convex import snapshot.zip` restores it into a fresh deployment.
 * Tables keep their numbers (so ids stay the same) where those are free; here they are taken,
 * so `_id`s keep their random part under the new numbers, references between tables still
 * resolve, `_creationTime`s are kept. Over existing data the zip needs `--replace`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { decodeId } from "@tandem/storage";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { setAdminAuth } from "../../../../test/support/admin-auth.js";

const api = anyApi;
let source: Backend;
let target: Backend;
let app: string;

type Doc = { _id: string; _creationTime: number } & Record<string, unknown>;

const deployment = (b: Backend) => ({ url: b.url, adminKey: b.adminKey });
const convex = (b: Backend, ...args: string[]) => runConvex(app, args, deployment(b));
const rows = async (b: Backend, table: string) =>
  (await new ConvexHttpClient(b.url).query(api.data!.all!, { table })) as Doc[];
const jsonl = (...docs: object[]) => docs.map((d) => JSON.stringify(d)).join("\n") + "\n";

async function importRows(b: Backend, table: string, docs: object[]): Promise<void> {
  await writeFile(join(app, `${table}.jsonl`), jsonl(...docs));
  const r = await convex(b, "import", "--table", table, `${table}.jsonl`);
  assert.equal(r.code, 0, r.output);
}

before(async () => {
  const start = async (name: string) =>
    startBackend({ dataDir: await tempDir(name), port: 0, sitePort: 0, logger: silentLogger });
  [source, target] = await Promise.all([start("export-source"), start("export-target")]);
  app = await copyFixture("dataio");
  await pushOnce(app, deployment(source));
  // `scores` first, so `owners`/`pets` get other table numbers here than in the target.
  await importRows(source, "scores", [{ name: "ada", score: 3 }]);
  await importRows(source, "owners", [{ name: "Ada" }, { name: "Bob" }]);
  const owners = await rows(source, "owners");
  await importRows(source, "pets", [
    { name: "Rex", owner: owners[1]!._id },
    { name: "Tom", owner: owners[0]!._id },
  ]);
  await importRows(source, "tasks", [
    { text: "Buy groceries", isCompleted: true },
    { text: "Integrate Convex", isCompleted: false },
  ]);
});

after(async () => {
  await source?.close();
  await target?.close();
});

test("export --path writes a zip with every table's documents and the table list", async () => {
  const r = await convex(source, "export", "--path", "snapshot.zip");
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /Created snapshot export at timestamp \d+/);
  assert.match(r.output, /Downloaded snapshot export to .*snapshot\.zip/);
  const files = unzipSync(await readFile(join(app, "snapshot.zip")));
  const lines = (name: string) =>
    new TextDecoder()
      .decode(files[name])
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Doc);
  const tasks = lines("tasks/documents.jsonl");
  assert.deepEqual(tasks.map((t) => t.text).sort(), ["Buy groceries", "Integrate Convex"]);
  assert.deepEqual(tasks.map((t) => t._id).sort(), (await rows(source, "tasks")).map((t) => t._id).sort());
  const tables = lines("_tables/documents.jsonl")
    .map((t) => t.name)
    .sort();
  assert.deepEqual(tables, ["owners", "pets", "scores", "tasks"]);
  assert.equal(lines("pets/documents.jsonl").length, 2);
});

test("importing the zip into a fresh deployment restores the rows and their references", async () => {
  await pushOnce(app, deployment(target));
  // Tables made here first take the numbers the snapshot's tables had.
  await target.storage.ensureTable("spare1");
  await target.storage.ensureTable("spare2");
  const r = await convex(target, "import", "snapshot.zip");
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /Added 7 documents/);

  for (const table of ["tasks", "owners", "scores"]) {
    const strip = (docs: Doc[]) =>
      docs.map(({ _id, ...rest }) => ({ ...rest, random: Buffer.from(decodeId(_id)!.internalId).toString("hex") }));
    assert.deepEqual(strip(await rows(target, table)), strip(await rows(source, table)), `${table} restored`);
  }
  const numberOf = (b: Backend, t: string) => b.storage.tables().find((x) => x.name === t)!.number;
  assert.notEqual(numberOf(target, "owners"), numberOf(source, "owners"), "the test exercises re-encoded ids");
  const owners = await rows(target, "owners");
  assert.ok(owners.every((o) => decodeId(o._id)!.tableNumber === numberOf(target, "owners")));
  const petOwners = (await new ConvexHttpClient(target.url).query(api.data!.petOwners!, {})) as string[];
  assert.deepEqual(petOwners.sort(), ["Rex:Bob", "Tom:Ada"]);
});

test("a zip over existing data needs --replace, which keeps ids", async () => {
  const refused = await convex(source, "import", "snapshot.zip");
  assert.equal(refused.code, 1, refused.output);
  assert.match(refused.output, /already has/);
  const before = (await rows(source, "pets")).map((p) => p._id).sort();
  const r = await convex(source, "import", "--replace", "--yes", "snapshot.zip");
  assert.equal(r.code, 0, r.output);
  assert.deepEqual((await rows(source, "pets")).map((p) => p._id).sort(), before);
  assert.equal((await rows(source, "tasks")).length, 2);
});

test("_system/cli/exports:getLatest reports the completed export, and the zip is served by its timestamp", async () => {
  const client = new ConvexHttpClient(source.url);
  setAdminAuth(client, source.adminKey); // admin-only system query, read as the CLI reads it
  const state = (await client.query("_system/cli/exports:getLatest" as never, {})) as {
    state: string;
    start_ts: bigint;
  };
  assert.equal(state.state, "completed");
  assert.equal(typeof state.start_ts, "bigint");
  const res = await fetch(`${source.url}/api/export/zip/${state.start_ts}`, {
    headers: { Authorization: `Convex ${source.adminKey}` },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-disposition"), `attachment; filename=snapshot_${state.start_ts}.zip`);
  assert.ok(Object.keys(unzipSync(new Uint8Array(await res.arrayBuffer()))).includes("tasks/documents.jsonl"));
  const stale = await fetch(`${source.url}/api/export/zip/123`, {
    headers: { Authorization: `Convex ${source.adminKey}` },
  });
  assert.equal(stale.status, 400);
});
