/**
 * Udf paths as clients write them (`messages:list`, `messages`, `dir/x.js:f`) and the lookup of
 * a function's kind in the live deployment, for endpoints that run "any function by path".
 */
import type { Deployment } from "../engine/deployment.js";
import type { FunctionKind } from "../engine/types.js";

export interface UdfPath {
  /** `messages.js` */
  readonly module: string;
  /** `list`, or `default` when the path names only a module. */
  readonly name: string;
}

export function parseUdfPath(path: string): UdfPath {
  const colon = path.lastIndexOf(":");
  const mod = colon < 0 ? path : path.slice(0, colon);
  const name = colon < 0 ? "default" : path.slice(colon + 1);
  return { module: mod.endsWith(".js") ? mod : `${mod}.js`, name };
}

/** `messages:list`: the path as Convex prints it in messages (no `.js`). */
export function displayPath(p: UdfPath): string {
  return `${p.module.replace(/\.js$/, "")}:${p.name}`;
}

export function lookupKind(deployment: Deployment | null, path: string): FunctionKind | null {
  if (!deployment) return null;
  const p = parseUdfPath(path);
  const mod = deployment.analysis.modules.find((m) => m.path === p.module);
  return mod?.functions.find((f) => f.name === p.name)?.kind ?? null;
}
