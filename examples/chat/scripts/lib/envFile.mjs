// Reads the `.env.local` that `tandem dev` writes (KEY=value lines, values optionally quoted).
import { readFile, stat } from "node:fs/promises";

/** The file's variables, or null while it is missing or older than `notBefore` (a stale run's). */
export async function readFreshEnvFile(path, notBefore) {
  let info;
  try {
    info = await stat(path);
  } catch {
    return null;
  }
  if (info.mtimeMs < notBefore) return null;
  return parseEnv(await readFile(path, "utf8"));
}

export function parseEnv(text) {
  const vars = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match === null) continue;
    let value = match[2];
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted !== null) value = quoted[2];
    else value = value.replace(/\s+#.*$/, "");
    vars[match[1]] = value;
  }
  return vars;
}
