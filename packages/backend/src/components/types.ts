/**
 * Components (`convex.config.ts` with `app.use(...)`): what a push records about them and how
 * their tables are kept apart. Each installed instance has a path (`counter`, `pool/inner`), runs
 * the code of one definition, and owns tables no other instance or the app can name.
 */
import { createHash } from "node:crypto";
import type { Analysis, ModuleSource, SchemaJSON } from "../engine/deployment.js";

/** One child in a definition's `export()` (`componentInstantiation` of the CLI). */
export interface ChildComponentJSON {
  readonly name: string;
  /** The child's definition path, as the CLI names it. */
  readonly path: string;
  readonly args?: unknown;
  readonly env?: unknown;
}

/** A definition's evaluated `convex.config.js` (`componentDefinitionMetadata` of the CLI). */
export interface DefinitionMetadata {
  readonly path: string;
  readonly definitionType:
    { readonly type: "app" } | { readonly type: "childComponent"; readonly name: string; readonly args?: unknown };
  readonly childComponents: readonly ChildComponentJSON[];
  readonly httpMounts: Readonly<Record<string, string>>;
  readonly exports: unknown;
  readonly envVars?: unknown;
}

/** A component definition as pushed: its modules and what analysis found in them. */
export interface ComponentDefinition {
  readonly definitionPath: string;
  readonly metadata: DefinitionMetadata;
  /** Function modules and `schema.js` (the definition's `convex.config.js` is not run again). */
  readonly modules: readonly ModuleSource[];
  readonly analysis: Analysis;
}

/** An installed instance: `""` is the app itself. */
export interface ComponentInstance {
  readonly path: string;
  /** `""` for the app. */
  readonly definitionPath: string;
  /** Child name → child instance path. */
  readonly children: Readonly<Record<string, string>>;
}

/** Components of a deployment; absent when the app installs none. */
export interface ComponentsState {
  readonly app: DefinitionMetadata;
  readonly definitions: Readonly<Record<string, ComponentDefinition>>;
  /** By instance path, the app (`""`) included. */
  readonly instances: Readonly<Record<string, ComponentInstance>>;
  /** The app's own schema (the deployment's holds component tables too). */
  readonly appSchema: SchemaJSON | null;
}

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
