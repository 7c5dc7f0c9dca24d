/**
 * `tandem backup` / `tandem restore` (docs/operations.md#backup-and-restore): a backup taken while
 * mutations keep committing restores to a consistent prefix of them; one taken at rest restores
 * to the same query results and file bytes. A restore refuses what it cannot trust.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { BackupError, backupDataDir, restoreDataDir } from "../../src/backup/index.js";
import { startBackend, type Backend } from "../../src/server/index.js";
import { copyFixture, pushOnce, tempDir } from "./fixture.js";

const api = anyApi;
const ADMIN_KEY = "backup-test|admin-key";
let source: Backend;
let sourceDir: string;
let work: string;

const start = (dataDir: string) =>
  startBackend({ dataDir, port: 0, sitePort: 0, logger: silentLogger, adminKey: ADMIN_KEY });
type Note = { text: string; url: string | null };
const list = (b: Backend) => new ConvexHttpClient(b.url).query(api.notes!.list!, {}) as Promise<Note[]>;
const texts = (b: Backend) => new ConvexHttpClient(b.url).query(api.notes!.texts!, {}) as Promise<string[]>;

before(async () => {
  work = await tempDir("backup");
  sourceDir = join(work, "source");
  source = await start(sourceDir);
  const app = await copyFixture("ops");
  await pushOnce(app, { url: source.url, adminKey: source.adminKey });
  await new ConvexHttpClient(source.url).mutation(api.notes!.addWithFile!, {
    text: "with file",
    body: "file bytes kept",
  });
});

after(async () => {
  await source?.close();
  await rm(work, { recursive: true, force: true });
});

async function restoredBackend(file: string, name: string): Promise<Backend> {
  const dir = join(work, name);
  await restoreDataDir(file, dir);
  return start(dir);
}

test("a backup taken while mutations commit restores to a prefix of them, files included", async () => {
  const http = new ConvexHttpClient(source.url);
  let stop = false;
  let written = 0;
  const writer = (async () => {
    while (!stop) await http.mutation(api.notes!.add!, { text: `n${written++}` });
  })();
  // Let some writes land before and during the backup (counted, not timed).
  while (written < 5) await new Promise((r) => setImmediate(r));
  const acknowledgedBefore = written - 1;
  const { manifest } = await backupDataDir(sourceDir, join(work, "live.tandem-backup"));
  stop = true;
  await writer;
  assert.equal(manifest.version, 1);
  assert.ok(manifest.entries.some((e) => e.kind === "sqlite" && e.path === "tandem.sqlite3"));
  assert.ok(
    manifest.entries.some((e) => e.path === "storage_secret"),
    "the key that signs file URLs is in the backup",
  );
  assert.ok(
    manifest.entries.some((e) => e.path.startsWith("files/")),
    "file storage bytes are in the backup",
  );

  const restored = await restoredBackend(join(work, "live.tandem-backup"), "live-restore");
  try {
    const got = (await texts(restored)).filter((t) => t !== "with file");
    const expected = Array.from({ length: got.length }, (_, i) => `n${i}`);
    assert.deepEqual(got, expected, "a consistent prefix of the sequential writes");
    assert.ok(
      got.length >= acknowledgedBefore,
      `writes acknowledged before the backup began are in it (${got.length} < ${acknowledgedBefore})`,
    );
    assert.equal(restored.adminKey, ADMIN_KEY);
  } finally {
    await restored.close();
  }
});

test("a backup at rest restores to the same query results and file bytes", async () => {
  const file = join(work, "rest.tandem-backup");
  await backupDataDir(sourceDir, file);
  const restored = await restoredBackend(file, "rest-restore");
  try {
    const [want, got] = [await list(source), await list(restored)];
    assert.deepEqual(
      got.map((n) => n.text),
      want.map((n) => n.text),
    );
    const withFile = got.find((n) => n.text === "with file");
    assert.ok(withFile?.url, "the file has a URL after the restore");
    assert.equal(await (await fetch(withFile.url)).text(), "file bytes kept");
  } finally {
    await restored.close();
  }
});

test("restore refuses a tampered file, a newer format, a non-backup and a non-empty folder; backup refuses to overwrite", async () => {
  const file = join(work, "check.tandem-backup");
  await backupDataDir(sourceDir, file);
  await assert.rejects(backupDataDir(sourceDir, file), (e: BackupError) => e.code === "OutputExists");
  await assert.rejects(
    backupDataDir(join(work, "nowhere"), join(work, "x.zip")),
    (e: BackupError) => e.code === "NotADataFolder",
  );

  const files = unzipSync(await readFile(file));
  const manifest = JSON.parse(new TextDecoder().decode(files["tandem-backup.json"])) as { version: number };
  const rewrite = async (name: string, change: (f: Record<string, Uint8Array>) => void) => {
    const copy = { ...files };
    change(copy);
    await writeFile(join(work, name), zipSync(copy));
    return join(work, name);
  };
  const tampered = await rewrite(
    "tampered.zip",
    (f) => (f["data/storage_secret"] = new TextEncoder().encode("someone else's")),
  );
  await assert.rejects(
    restoreDataDir(tampered, join(work, "t1")),
    (e: BackupError) => e.code === "Corrupt" && /storage_secret/.test(e.message),
  );
  const newer = await rewrite(
    "newer.zip",
    (f) => (f["tandem-backup.json"] = new TextEncoder().encode(JSON.stringify({ ...manifest, version: 99 }))),
  );
  await assert.rejects(restoreDataDir(newer, join(work, "t2")), (e: BackupError) => e.code === "UnsupportedVersion");
  const escape = await rewrite("escape.zip", (f) => {
    const m = manifest as unknown as { entries: Array<{ path: string }> };
    f["tandem-backup.json"] = new TextEncoder().encode(
      JSON.stringify({ ...m, entries: [...m.entries, { path: "../evil", kind: "file", bytes: 0, sha256: "" }] }),
    );
  });
  await assert.rejects(
    restoreDataDir(escape, join(work, "t3")),
    (e: BackupError) => e.code === "Corrupt" && /unsafe/.test(e.message),
  );
  await writeFile(join(work, "not.zip"), "hello");
  await assert.rejects(
    restoreDataDir(join(work, "not.zip"), join(work, "t4")),
    (e: BackupError) => e.code === "NotABackup",
  );
  await mkdir(join(work, "busy"));
  await writeFile(join(work, "busy", "keep.txt"), "mine");
  await assert.rejects(restoreDataDir(file, join(work, "busy")), (e: BackupError) => e.code === "TargetNotEmpty");
  assert.equal(await readFile(join(work, "busy", "keep.txt"), "utf8"), "mine", "nothing overwritten");
});
