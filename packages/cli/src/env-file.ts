/**
 * Updating `APP/.env.local` the way dotenv reads it: set our variables in place (or append them),
 * keep every other line the user had, and drop `CONVEX_DEPLOYMENT` (the official CLI refuses to
 * run against a self-hosted URL while it is set).
 */
import { readFile, writeFile } from "node:fs/promises";

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

function quote(value: string): string {
  return /^[A-Za-z0-9_./:@|+=,-]*$/.test(value) ? value : JSON.stringify(value);
}

export function updateEnvText(
  text: string,
  set: Readonly<Record<string, string>>,
  remove: readonly string[] = [],
): { text: string; removed: string[] } {
  const lines = text.length ? text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n") : [];
  const pending = new Map(Object.entries(set));
  const removed: string[] = [];
  const out: string[] = [];
  for (const line of lines) {
    const name = LINE.exec(line)?.[1];
    if (name !== undefined && remove.includes(name)) {
      removed.push(name);
      continue;
    }
    if (name !== undefined && pending.has(name)) {
      out.push(`${name}=${quote(pending.get(name)!)}`);
      pending.delete(name);
      continue;
    }
    out.push(line);
  }
  if (pending.size > 0) {
    if (out.length > 0 && out[out.length - 1] !== "") out.push("");
    out.push("# Written by `tandem dev`");
    for (const [name, value] of pending) out.push(`${name}=${quote(value)}`);
  }
  return { text: out.join("\n") + "\n", removed };
}

export async function updateEnvFile(
  path: string,
  set: Readonly<Record<string, string>>,
  remove: readonly string[] = [],
): Promise<string[]> {
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const next = updateEnvText(text, set, remove);
  if (next.text !== text) await writeFile(path, next.text, { mode: 0o600 });
  return next.removed;
}
