/**
 * Components (`convex.config.ts` with `app.use(...)`): what a push records about them and how
 * their tables are kept apart. Each installed instance has a path (`counter`, `pool/inner`), runs
 * the code of one definition, and owns tables no other instance or the app can name.
 */
import { createHash } from "node:crypto";

export type {
  ChildComponentJSON,
  ComponentDefinition,
  ComponentInstance,
  ComponentsState,
  DefinitionMetadata,
} from "../engine/deployment.js";

/**
 * Storage name of a component instance's table. Store table names are identifiers and `_`-names
 * are the system's, which app code cannot create or name through `ctx.db`: a component's tables
 * are `_c<hash of instance path>_<table>`, so two instances (and the app) never share one.
 */
export function componentTablePrefix(componentPath: string): string {
  let p = prefixes.get(componentPath);
  if (p === undefined) {
    p = `_c${createHash("sha256").update(componentPath).digest("hex").slice(0, 8)}_`;
    if (prefixes.size > 10_000) prefixes.clear();
    prefixes.set(componentPath, p);
  }
  return p;
}
const prefixes = new Map<string, string>();

/** Maps table names between what one instance's code sees and what the store holds. */
export interface TableNamespace {
  readonly componentPath: string;
  /** Store name of a table the code names (system tables are shared, kept as they are). */
  toStorage(table: string): string;
  /** The name the code knows for a store table, or null when the table is not this instance's. */
  fromStorage(table: string): string | null;
}

const SYSTEM_TABLE = /^_[a-z]/;

export function tableNamespace(componentPath: string): TableNamespace {
  let ns = namespaces.get(componentPath);
  if (!ns) {
    ns = makeNamespace(componentPath);
    if (namespaces.size > 10_000) namespaces.clear();
    namespaces.set(componentPath, ns);
  }
  return ns;
}
const namespaces = new Map<string, TableNamespace>();

function makeNamespace(componentPath: string): TableNamespace {
  if (componentPath === "") {
    return {
      componentPath,
      toStorage: (t) => t,
      fromStorage: (t) => (isComponentTable(t) ? null : t),
    };
  }
  const prefix = componentTablePrefix(componentPath);
  return {
    componentPath,
    toStorage: (t) => (t.startsWith("_") ? t : `${prefix}${t}`),
    fromStorage: (t) =>
      t.startsWith(prefix) ? t.slice(prefix.length) : !isComponentTable(t) && SYSTEM_TABLE.test(t) ? t : null,
  };
}

/** True for the store tables of component instances. */
export function isComponentTable(storageName: string): boolean {
  return /^_c[0-9a-f]{8}_/.test(storageName);
}

export const ROOT_NAMESPACE: TableNamespace = tableNamespace("");

/** A validator (JSON) with its `v.id(table)`s naming the store tables of `ns`. */
export function scopeValidator(json: unknown, ns: TableNamespace): unknown {
  if (Array.isArray(json)) return json.map((x) => scopeValidator(x, ns));
  if (json === null || typeof json !== "object") return json;
  const o = json as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = scopeValidator(v, ns);
  if (o.type === "id" && typeof o.tableName === "string") out.tableName = ns.toStorage(o.tableName);
  return out;
}
