// Reads the `.env.local` that `tandem dev` writes (KEY=value lines, values optionally quoted).
import { readFile } from "node:fs/promises";

/**
 * The file's variables, or null while it is missing. A file left by an earlier run is fine to
 * read: `tandem dev` rewrites it only when a value changes, and the caller checks that the URL
 * it names answers.
 */
export async function readEnvFile(path) {
  try {
    return parseEnv(await readFile(path, "utf8"));
  } catch {
    return null;
  }
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
