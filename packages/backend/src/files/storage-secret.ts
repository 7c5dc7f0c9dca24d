/**
 * The key that signs upload tokens: generated on first start and kept in the data folder with
 * owner-only permissions, so upload URLs issued before a restart stay valid after it.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const STORAGE_SECRET_FILE = "storage_secret";
/** Convex sets no size limit on uploads; this one keeps a disk from being filled by one POST. */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 1024 * 1024 * 1024;

export async function loadOrCreateStorageSecret(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, STORAGE_SECRET_FILE);
  try {
    const stored = Buffer.from((await readFile(file, "utf8")).trim(), "hex");
    if (stored.length >= 32) return stored;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const secret = randomBytes(32);
  await writeFile(file, secret.toString("hex") + "\n", { mode: 0o600 });
  return secret;
}
