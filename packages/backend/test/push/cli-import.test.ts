/**
 * `npx convex import` and `npx convex data` (official CLI 1.48.0) against a real backend with
 * schema validation on: the quickstart's JSONL seed, requireEmpty / --append / --replace, CSV
 * typing, refused imports that write nothing (schema violation, malformed line, table not in the
 * schema), a live subscription that sees imported rows, and the upload size limit.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { WebSocket } from "ws";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";

const api = anyApi;
let backend: Backend;
let app: string;
let live: ConvexClient;

type Task = { _id: string; _creationTime: number; text: string; isCompleted: boolean };

const deployment = () => ({ url: backend.url, adminKey: backend.adminKey });
const convex = (...args: string[]) => runConvex(app, args, deployment());
const http = () => new ConvexHttpClient(backend.url);
const rows = async (table: string) => (await http().query(api.data!.all!, { table })) as Array<Record<string, unknown>>;
const texts = async () => ((await rows("tasks")) as Task[]).map((t) => t.text);

async function file(name: string, text: string): Promise<string> {
  const path = join(app, name);
  await writeFile(path, text);
  return name;
}

const jsonl = (...docs: object[]) => docs.map((d) => JSON.stringify(d)).join("\n") + "\n";

before(async () => {
  backend = await startBackend({ dataDir: await tempDir("import-data"), port: 0, sitePort: 0, logger: silentLogger });
  app = await copyFixture("dataio");
  await pushOnce(app, deployment());
  live = new ConvexClient(backend.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
  });
});

after(async () => {
  await live?.close();
  await backend?.close();
});

test("the quickstart seed: import --table tasks sampleData.jsonl, seen by queries and a live subscription", async () => {
  const seen: string[][] = [];
  const first = new Promise<void>((resolve) =>
    live.onUpdate(api.data!.tasks!, {}, (v: Task[]) => {
      seen.push(v.map((t) => t.text));
      if (v.length === 3) resolve();
    }),
  );
  await file(
    "sampleData.jsonl",
    jsonl(
      { text: "Buy groceries", isCompleted: true },
      { text: "Go for a swim", isCompleted: true },
      { text: "Integrate Convex", isCompleted: false },
    ),
  );
  const r = await convex("import", "--table", "tasks", "sampleData.jsonl");
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /Added 3 documents to table "tasks"/);
  const tasks = (await rows("tasks")) as Task[];
  assert.deepEqual(
    tasks.map((t) => [t.text, t.isCompleted]),
    [
      ["Buy groceries", true],
      ["Go for a swim", true],
      ["Integrate Convex", false],
    ],
  );
  assert.equal(new Set(tasks.map((t) => t._id)).size, 3);
  assert.ok(
    tasks.every((t, i) => i === 0 || t._creationTime > tasks[i - 1]!._creationTime),
    "creation order kept",
  );
  // Indexes are maintained for imported rows.
  assert.deepEqual(
    ((await http().query(api.data!.byText!, { text: "Go for a swim" })) as Task[]).map((t) => t._id),
    [tasks[1]!._id],
  );
  await Promise.race([
    first,
    new Promise((_, reject) => setTimeout(() => reject(new Error("the subscription never saw the import")), 10_000)),
  ]);
  assert.deepEqual(seen.at(-1), ["Buy groceries", "Go for a swim", "Integrate Convex"]);
});

test("a second import into a non-empty table is refused by default; --append adds", async () => {
  await file("more.jsonl", jsonl({ text: "Walk the dog", isCompleted: false }, { text: "Read", isCompleted: true }));
  const refused = await convex("import", "--table", "tasks", "more.jsonl");
  assert.equal(refused.code, 1, refused.output);
  assert.match(refused.output, /Table "tasks" already has 3 documents/);
  assert.equal((await texts()).length, 3);

  const r = await convex("import", "--table", "tasks", "--append", "more.jsonl");
  assert.equal(r.code, 0, r.output);
  assert.match(r.output, /Added 2 documents/);
  assert.deepEqual(await texts(), ["Buy groceries", "Go for a swim", "Integrate Convex", "Walk the dog", "Read"]);
});

test("--replace asks before deleting (refused without a terminal), and with --yes replaces the table", async () => {
  await file("one.json", JSON.stringify([{ text: "Only this", isCompleted: false }]));
  const asked = await convex("import", "--table", "tasks", "--replace", "one.json");
  assert.equal(asked.code, 1, asked.output);
  assert.match(asked.output, /delete/);
  assert.match(asked.output, /5 of 5/);
  assert.equal((await texts()).length, 5, "nothing changed");

  const r = await convex("import", "--table", "tasks", "--replace", "--yes", "one.json");
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(await texts(), ["Only this"]);
});

test("CSV: a header row, numbers become float64, everything else stays a string", async () => {
  await file(
    "scores.csv",
    'name,score,note\nada,12.5,"fast, careful"\r\nbob,-3,007x\n"cy ""the kid""",1e3,"two\nlines"\n',
  );
  const r = await convex("import", "--table", "scores", "scores.csv");
  assert.equal(r.code, 0, r.output);
  const got = (await rows("scores")).map(({ name, score, note }) => ({ name, score, note }));
  assert.deepEqual(got, [
    { name: "ada", score: 12.5, note: "fast, careful" },
    { name: "bob", score: -3, note: "007x" },
    { name: 'cy "the kid"', score: 1000, note: "two\nlines" },
  ]);
});

test("a schema violation fails the import with the row's line and nothing is written", async () => {
  await file("bad.jsonl", jsonl({ text: "fine", isCompleted: true }, { text: 5, isCompleted: true }));
  const r = await convex("import", "--table", "tasks", "--append", "bad.jsonl");
  assert.equal(r.code, 1, r.output);
  assert.match(
    r.output,
    /line 2: Failed to insert or update a document in table "tasks" because it does not match the schema/,
  );
  assert.deepEqual(await texts(), ["Only this"]);
});

test("a malformed JSONL line fails the import naming the line, and nothing is written", async () => {
  await file(
    "broken.jsonl",
    '{"text":"a","isCompleted":true}\n{"text":"b","isCompleted":true}\n{"text": "c", isCompleted}\n',
  );
  const r = await convex("import", "--table", "tasks", "--append", "broken.jsonl");
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /line 3 is not valid JSON/);
  assert.deepEqual(await texts(), ["Only this"]);
});

test("a table the schema does not define is refused and not created", async () => {
  await file("stray.jsonl", jsonl({ x: 1 }));
  const r = await convex("import", "--table", "stray", "stray.jsonl");
  assert.equal(r.code, 1, r.output);
  assert.match(r.output, /Table "stray" is not in the schema/);
  assert.ok(!backend.storage.tables().some((t) => t.name === "stray"));
});

test("npx convex data lists tables and prints a table's documents", async () => {
  const tables = await convex("data");
  assert.equal(tables.code, 0, tables.output);
  const names = tables.stdout.trim().split("\n");
  assert.ok(names.includes("tasks") && names.includes("scores"), tables.output);
  assert.ok(!names.some((n) => n.startsWith("_")), "no system tables");

  const docs = await convex("data", "tasks");
  assert.equal(docs.code, 0, docs.output);
  assert.match(docs.stdout, /_id\s+\|\s+_creationTime\s+\|\s+isCompleted\s+\|\s+text/);
  assert.match(docs.stdout, /"Only this"/);

  const scores = await convex("data", "scores", "--limit", "2", "--order", "asc", "--format", "jsonl");
  assert.equal(scores.code, 0, scores.output);
  const lines = scores.stdout.trim().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /"name": "ada"/);
  assert.match(lines[1]!, /"name": "bob"/);
});

test("--replace-all clears every table, not only the imported one", async () => {
  assert.ok((await rows("scores")).length > 0);
  const r = await convex("import", "--table", "tasks", "--replace-all", "--yes", "one.json");
  assert.equal(r.code, 0, r.output);
  assert.deepEqual(await texts(), ["Only this"]);
  assert.deepEqual(await rows("scores"), []);
});

test("uploads past 256 MiB are refused with a clear error", async () => {
  const headers = { Authorization: `Convex ${backend.adminKey}`, "Content-Type": "application/json" };
  const start = await fetch(`${backend.url}/api/import/start_upload`, { method: "POST", headers });
  const { uploadToken } = (await start.json()) as { uploadToken: string };
  const big = Buffer.alloc(256 * 1024 * 1024 + 1, 0x20);
  const res = await fetch(
    `${backend.url}/api/import/upload_part?uploadToken=${encodeURIComponent(uploadToken)}&partNumber=1`,
    {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/octet-stream" },
      body: big,
    },
  );
  assert.equal(res.status, 413);
  const body = (await res.json()) as { code: string; message: string };
  assert.equal(body.code, "ImportTooLarge");
  assert.match(body.message, /larger than 256 MiB/);

  const noKey = await fetch(`${backend.url}/api/import/start_upload`, { method: "POST" });
  assert.equal(noKey.status, 401);
});
