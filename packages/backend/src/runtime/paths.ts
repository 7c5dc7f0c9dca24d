/**
 * Udf paths: the one parser for every entry point (HTTP, sync, the engine). Clients send
 * `messages:list`, `messages` (default export) or `dir/x.js:f`; internally a function is
 * `{ module: "messages.js", name: "list" }` (docs/architecture.md#modules-and-paths).
 *
 * Accepted: at most 1024 characters; a module path of `/`-separated segments, none empty or `..`
 * (so no leading `/`), without `:` or whitespace; optionally `:` and an export name that is a JS
 * identifier.
 */
import { badRequest } from "../errors.js";

export interface FunctionPath {
  readonly module: string;
  readonly name: string;
}

const UDF_PATH = /^([^:\s]+)(?::([A-Za-z_$][\w$]*))?$/;

/** The parsed path, or null when `path` breaks the rules above. */
export function checkUdfPath(path: unknown): FunctionPath | null {
  if (typeof path !== "string" || path.length > 1024) return null;
  const m = UDF_PATH.exec(path);
  if (!m) return null;
  const module = m[1]!;
  if (module.split("/").some((s) => s === "" || s === "..")) return null;
  return { module: module.endsWith(".js") ? module : `${module}.js`, name: m[2] ?? "default" };
}

/** Like `checkUdfPath`, but a bad path is a 400 `InvalidUdfPath`. */
export function parseUdfPath(path: string): FunctionPath {
  const p = checkUdfPath(path);
  if (!p) throw badRequest("InvalidUdfPath", `Invalid function path: ${JSON.stringify(String(path).slice(0, 100))}`);
  return p;
}

/** `messages:list` — the client-facing identifier (no `.js`). */
export function displayPath(p: FunctionPath): string {
  return `${p.module.replace(/\.js$/, "")}:${p.name}`;
}

/** `messages.js:list` — the canonical form used in errors and scheduled-function records. */
export function canonicalPath(p: FunctionPath): string {
  return `${p.module}:${p.name}`;
}
