/**
 * Udf paths. Clients send `messages:list`, `messages` (default export), `dir/x.js:f`; internally a
 * function is `{ module: "messages.js", name: "list" }` (research §2.3, §5.1).
 */
import { badRequest } from "../errors.js";

export interface FunctionPath {
  readonly module: string;
  readonly name: string;
}

export function parseUdfPath(path: string): FunctionPath {
  if (typeof path !== "string" || path.length === 0 || path.length > 1024)
    throw badRequest("InvalidUdfPath", `Invalid function path: ${JSON.stringify(path)}`);
  const colon = path.lastIndexOf(":");
  let module = colon === -1 ? path : path.slice(0, colon);
  const name = colon === -1 ? "default" : path.slice(colon + 1);
  if (!module || !name || module.startsWith("/") || module.split("/").some((s) => s === ".." || s === ""))
    throw badRequest("InvalidUdfPath", `Invalid function path: ${JSON.stringify(path)}`);
  if (!module.endsWith(".js")) module += ".js";
  return { module, name };
}

/** `messages:list` — the client-facing identifier (no `.js`). */
export function displayPath(p: FunctionPath): string {
  return `${p.module.replace(/\.js$/, "")}:${p.name}`;
}

/** `messages.js:list` — the canonical form used in errors and scheduled-function records. */
export function canonicalPath(p: FunctionPath): string {
  return `${p.module}:${p.name}`;
}
