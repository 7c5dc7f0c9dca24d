/**
 * `tandem restore --from FILE --data DIR` (docs/operations.md#what-a-restore-checks): checks the
 * whole backup before writing anything, writes beside DIR and renames it into place.
 */
import { mkdir, readFile, readdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { unzipSync } from "fflate";
import { checkSqliteFile } from "@tandem/storage";
import { sha256 } from "./backup.js";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BackupError,
  DATA_PREFIX,
  MANIFEST_NAME,
  isSafePath,
  type BackupManifest,
} from "./format.js";

export async function restoreDataDir(fromFile: string, dataDir: string): Promise<BackupManifest> {
  const files = readZip(await readFile(fromFile), fromFile);
  const manifest = parseManifest(files[MANIFEST_NAME], fromFile);
  const listed = new Set(manifest.entries.map((e) => DATA_PREFIX + e.path));
  for (const name of Object.keys(files))
    if (name !== MANIFEST_NAME && !name.endsWith("/") && !listed.has(name))
      throw new BackupError("Corrupt", `${name} in the backup is not in its manifest.`);
  for (const e of manifest.entries) {
    const bytes = files[DATA_PREFIX + e.path];
    if (!bytes) throw new BackupError("Corrupt", `The backup lacks ${e.path}, which its manifest lists.`);
    if (bytes.length !== e.bytes || sha256(bytes) !== e.sha256)
      throw new BackupError("Corrupt", `${e.path} in the backup does not match its checksum.`);
  }
  const existing = await readdir(dataDir).catch((e: NodeJS.ErrnoException) =>
    e.code === "ENOENT" ? null : Promise.reject(e),
  );
  if (existing && existing.length > 0)
    throw new BackupError(
      "TargetNotEmpty",
      `${dataDir} is not empty; restore into a new folder (and stop any server using it).`,
    );

  const staging = join(dirname(dataDir), `.${basename(dataDir)}.restoring-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    for (const e of manifest.entries) {
      const target = join(staging, ...e.path.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, files[DATA_PREFIX + e.path]!, { mode: 0o600 });
      if (e.kind === "sqlite") {
        const problem = checkSqliteFile(target);
        if (problem !== null)
          throw new BackupError("Corrupt", `${e.path} in the backup fails SQLite's integrity check: ${problem}`);
      }
    }
    if (existing) await rmdir(dataDir);
    await rename(staging, dataDir);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  return manifest;
}

function readZip(bytes: Uint8Array, name: string): Record<string, Uint8Array> {
  try {
    return unzipSync(bytes);
  } catch {
    throw new BackupError("NotABackup", `${name} is not a ZIP file made by tandem backup.`);
  }
}

function parseManifest(bytes: Uint8Array | undefined, name: string): BackupManifest {
  if (!bytes) throw new BackupError("NotABackup", `${name} has no ${MANIFEST_NAME}: it was not made by tandem backup.`);
  let m: Partial<BackupManifest>;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as Partial<BackupManifest>;
  } catch {
    throw new BackupError("Corrupt", `${MANIFEST_NAME} in ${name} is not JSON.`);
  }
  if (m.format !== BACKUP_FORMAT)
    throw new BackupError("NotABackup", `${name} is not a Tandem backup (format ${JSON.stringify(m.format)}).`);
  if (typeof m.version !== "number" || !Number.isInteger(m.version) || m.version < 1)
    throw new BackupError("Corrupt", `${MANIFEST_NAME} in ${name} has no valid version.`);
  if (m.version > BACKUP_FORMAT_VERSION)
    throw new BackupError(
      "UnsupportedVersion",
      `${name} is backup format ${m.version} (Tandem ${m.tandemVersion ?? "?"}); this Tandem reads up to format ${BACKUP_FORMAT_VERSION}. Upgrade Tandem to restore it.`,
    );
  if (!Array.isArray(m.entries)) throw new BackupError("Corrupt", `${MANIFEST_NAME} in ${name} lists no entries.`);
  const seen = new Set<string>();
  for (const e of m.entries) {
    if (typeof e?.path !== "string" || !isSafePath(e.path) || seen.has(e.path))
      throw new BackupError("Corrupt", `${MANIFEST_NAME} names an unsafe or repeated path ${JSON.stringify(e?.path)}.`);
    if ((e.kind !== "sqlite" && e.kind !== "file") || typeof e.sha256 !== "string" || typeof e.bytes !== "number")
      throw new BackupError("Corrupt", `${MANIFEST_NAME} entry ${e.path} is malformed.`);
    seen.add(e.path);
  }
  return m as BackupManifest;
}
