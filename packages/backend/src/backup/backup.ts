/**
 * `tandem backup --data DIR --out FILE` (docs/operations.md#backup-and-restore) while the server
 * keeps serving: databases through SQLite's online backup API, the other files (file storage,
 * keys) copied around them.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { zipSync, type Zippable } from "fflate";
import { backupSqliteFile } from "@tandem/storage";
import { BACKEND_VERSION } from "../server/version.js";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  DATA_PREFIX,
  MANIFEST_NAME,
  isDatabase,
  isSidecar,
  isTransient,
  type BackupEntry,
  type BackupManifest,
} from "./format.js";

export interface BackupResult {
  readonly file: string;
  readonly manifest: BackupManifest;
}

export async function backupDataDir(dataDir: string, outFile: string): Promise<BackupResult> {
  if (!(await isDirectory(dataDir))) throw new BackupError("NotADataFolder", `${dataDir} is not a folder.`);
  if (existsSync(outFile)) throw new BackupError("OutputExists", `${outFile} already exists; choose a new file name.`);
  const first = await listFiles(dataDir);
  if (!first.some(isDatabase))
    throw new BackupError(
      "NotADataFolder",
      `${dataDir} holds no Tandem database (is it the folder given to tandem serve --data?).`,
    );

  const contents = new Map<string, { kind: BackupEntry["kind"]; bytes: Uint8Array }>();
  // Files before the databases, then any new ones after: every file a database copy references
  // was either there before it or is there after it (a file deleted in between is the one loss).
  await copyPlainFiles(dataDir, first, contents);
  const scratch = await mkdtemp(join(tmpdir(), "tandem-backup-"));
  try {
    for (const path of first.filter(isDatabase)) {
      const copy = join(scratch, `${contents.size}.sqlite`);
      await backupSqliteFile(join(dataDir, path), copy);
      contents.set(path, { kind: "sqlite", bytes: await readFile(copy) });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  await copyPlainFiles(
    dataDir,
    (await listFiles(dataDir)).filter((p) => !contents.has(p)),
    contents,
  );

  const entries: BackupEntry[] = [...contents].map(([path, c]) => ({
    path,
    kind: c.kind,
    bytes: c.bytes.length,
    sha256: sha256(c.bytes),
  }));
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    version: BACKUP_FORMAT_VERSION,
    tandemVersion: BACKEND_VERSION,
    createdAt: new Date().toISOString(),
    entries,
  };
  const zip: Zippable = { [MANIFEST_NAME]: new TextEncoder().encode(JSON.stringify(manifest, null, 2)) };
  // Databases compress well; file bytes (images, archives) mostly don't, so they are stored.
  for (const [path, c] of contents) zip[DATA_PREFIX + path] = [c.bytes, { level: c.kind === "sqlite" ? 6 : 0 }];
  const partial = join(dirname(outFile), `.${Date.now()}-${process.pid}.tandem-backup.partial`);
  await writeFile(partial, zipSync(zip), { mode: 0o600 });
  await rename(partial, outFile);
  return { file: outFile, manifest };
}

async function copyPlainFiles(
  dataDir: string,
  paths: readonly string[],
  into: Map<string, { kind: BackupEntry["kind"]; bytes: Uint8Array }>,
): Promise<void> {
  for (const path of paths) {
    if (isDatabase(path) || into.has(path)) continue;
    try {
      into.set(path, { kind: "file", bytes: await readFile(join(dataDir, path)) });
    } catch (e) {
      // Deleted since it was listed: it is not part of the data anymore.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
}

/** Regular files under `root`, relative and `/`-separated, without sidecars and spool files. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join("/"))
    .filter((p) => !isSidecar(p) && !isTransient(p))
    .sort();
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
