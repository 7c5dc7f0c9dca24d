/**
 * `npx convex export --include-file-storage` (official CLI 1.48.0) puts file storage in the zip
 * (`_storage/documents.jsonl` and each file's bytes), and `npx convex import` restores it: a
 * deployment exported from SQLite and imported into a fresh one on Postgres answers the same
 * queries, with the same storage ids, `db.system.get` rows and bytes served by `getUrl`.
 * Without the flag the zip has no `_storage`.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, runConvex, tempDir } from "../server/fixture.js";
import { freshSchema, postgresAvailable, POSTGRES_URL } from "../../../../test/support/postgres.js";

const api = anyApi;
const available = await postgresAvailable();
const pg = freshSchema();
let source: Backend;
let target: Backend;
let app: string;

type Message = { _id: string; _creationTime: number; body: string; author: string; url: string | null };

const deployment = (b: Backend) => ({ url: b.url, adminKey: b.adminKey });
const convex = (b: Backend, ...args: string[]) => runConvex(app, args, deployment(b));
const client = (b: Backend) => new ConvexHttpClient(b.url);

const files = [
  { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255]), type: "image/png", author: "ada" },
  { bytes: new TextEncoder().encode("plain words\n"), type: "text/plain", author: "bob" },
  { bytes: new Uint8Array([1, 2, 3]), type: "application/x-unknown", author: "cy" },
];

async function upload(b: Backend, bytes: Uint8Array, type: string): Promise<string> {
  const url = (await client(b).mutation(api.files!.generateUploadUrl!, {})) as string;
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": type }, body: bytes as BodyInit });
  assert.equal(r.status, 200);
  return ((await r.json()) as { storageId: string }).storageId;
}

/** The messages with each file's bytes fetched from its `getUrl`, and the `_storage` rows. */
async function state(b: Backend) {
  const messages = (await client(b).query(api.files!.list!, {})) as Message[];
  const withBytes = await Promise.all(
    messages.map(async ({ url, ...m }) => {
      assert.ok(url?.startsWith(b.url), `getUrl serves from the deployment: ${url}`);
      const r = await fetch(url!);
      return {
        ...m,
        status: r.status,
        type: r.headers.get("content-type"),
        bytes: [...new Uint8Array(await r.arrayBuffer())],
      };
    }),
  );
  const system = await Promise.all(
    messages.map((m) => client(b).query(api.files!.metadata!, { storageId: m.body }) as Promise<{ system: unknown }>),
  );
  return {
    messages: withBytes,
    system: system.map((s) => s.system),
    stored: await client(b).query(api.files!.storedFiles!, {}),
  };
}

before(async () => {
  if (available.skip) return;
  source = await startBackend({
    dataDir: await tempDir("export-files-src"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  target = await startBackend({
    dataDir: await tempDir("export-files-dst"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    database: { kind: "postgres", url: POSTGRES_URL, schema: pg.schema },
  });
  app = await copyFixture("files");
  await pushOnce(app, deployment(source));
  for (const f of files)
    await client(source).mutation(api.files!.sendImage!, {
      storageId: await upload(source, f.bytes, f.type),
      author: f.author,
    });
});

after(async () => {
  await source?.close();
  await target?.close();
  if (!available.skip) await pg.drop();
});

test("export without --include-file-storage leaves file storage out", available, async () => {
  const r = await convex(source, "export", "--path", "plain.zip");
  assert.equal(r.code, 0, r.output);
  const names = Object.keys(unzipSync(await readFile(join(app, "plain.zip"))));
  assert.ok(names.includes("messages/documents.jsonl"));
  assert.deepEqual(
    names.filter((n) => n.startsWith("_storage")),
    [],
  );
});

test("export --include-file-storage writes the file rows and bytes under _storage/", available, async () => {
  const r = await convex(source, "export", "--include-file-storage", "--path", "files.zip");
  assert.equal(r.code, 0, r.output);
  const zip = unzipSync(await readFile(join(app, "files.zip")));
  const rows = new TextDecoder()
    .decode(zip["_storage/documents.jsonl"])
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { _id: string; size: number; contentType?: string });
  const messages = (await client(source).query(api.files!.list!, {})) as Message[];
  assert.deepEqual(rows.map((x) => x._id).sort(), messages.map((m) => m.body).sort());
  for (const [i, m] of messages.entries()) {
    const ext = [".png", ".txt", ""][i]!;
    assert.deepEqual(zip[`_storage/${m.body}${ext}`], files[i]!.bytes, `bytes of ${m.author}'s file`);
  }
  assert.deepEqual(rows.map((x) => x.size).sort(), files.map((f) => f.bytes.length).sort());
});

test("import into a fresh Postgres deployment restores rows, storage ids, metadata and bytes", available, async () => {
  await pushOnce(app, deployment(target));
  const r = await convex(target, "import", "files.zip");
  assert.equal(r.code, 0, r.output);
  const [before, after] = [await state(source), await state(target)];
  assert.equal(after.messages.length, 3);
  assert.ok(after.messages.every((m) => m.status === 200));
  assert.deepEqual(
    after.messages.map((m) => m.type),
    ["image/png", "text/plain", "application/x-unknown"],
  );
  assert.deepEqual(after, before);
  // Files stored after the import are served alongside the imported ones.
  const id = await upload(target, new Uint8Array([9, 9]), "image/gif");
  await client(target).mutation(api.files!.sendImage!, { storageId: id, author: "dee" });
  assert.equal(((await state(target)).messages as unknown[]).length, 4);
});

test("a zip whose _storage rows lack their bytes is refused and writes nothing", available, async () => {
  const zip = unzipSync(await readFile(join(app, "files.zip")));
  const bad = Object.fromEntries(Object.entries(zip).filter(([n]) => !n.endsWith(".png")));
  await writeFile(join(app, "bad.zip"), zipSync(bad));
  const r = await convex(source, "import", "--replace", "--yes", "bad.zip");
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /no file _storage\/\S+ for this row/);
  assert.equal(((await client(source).query(api.files!.list!, {})) as unknown[]).length, 3);
});
