/**
 * The deployment's admin key (docs/architecture.md#composition): given (any opaque string), or generated on first start
 * as `<instanceName>|<random hex>` and kept in the data folder with owner-only permissions.
 * The `|` keeps tools that split keys on it working (docs/push-api.md#selecting-a-deployment).
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const ADMIN_KEY_FILE = "admin_key";

export function generateAdminKey(instanceName: string): string {
  return `${instanceName}|${randomBytes(32).toString("hex")}`;
}

export async function loadOrCreateAdminKey(dataDir: string, instanceName: string, given?: string): Promise<string> {
  if (given !== undefined && given.length > 0) return given;
  const file = join(dataDir, ADMIN_KEY_FILE);
  try {
    const stored = (await readFile(file, "utf8")).trim();
    if (stored.length > 0) return stored;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const key = generateAdminKey(instanceName);
  await writeFile(file, key + "\n", { mode: 0o600 });
  return key;
}
