/**
 * The component part of a push: the `componentDefinitions` of `start_push` and the app's
 * `convex.config.js`, evaluated into the tree of installed instances (docs/components.md#push).
 * Definitions are evaluated dependencies first, so a parent's config sees each child's name;
 * a cycle, an unknown definition or a malformed config fails the push with a clear error.
 */
import { badRequest } from "../errors.js";
import type { Analysis, ModuleSource, SchemaJSON } from "../engine/deployment.js";
import { componentDepsModule, evaluateConfig } from "./evaluate-config.js";
import {
  componentTablePrefix,
  scopeValidator,
  tableNamespace,
  type ChildComponentJSON,
  type ComponentDefinition,
  type ComponentInstance,
  type ComponentsState,
  type DefinitionMetadata,
} from "./types.js";

export interface RawDefinition {
  readonly definitionPath: string;
  readonly config: ModuleSource;
  readonly dependencies: readonly string[];
  readonly modules: readonly ModuleSource[];
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_DEPTH = 8;

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** `componentDefinitions` of the request, checked; `parseModule` is the push's module check. */
export function parseDefinitions(raw: unknown, parseModule: (m: unknown) => ModuleSource): RawDefinition[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest("InvalidPush", "`componentDefinitions` must be an array.");
  const seen = new Set<string>();
  return raw.map((d) => {
    if (!isRecord(d) || typeof d.definitionPath !== "string" || d.definitionPath === "" || !isRecord(d.definition))
      throw badRequest("InvalidPush", "Each component definition needs a `definitionPath` and a `definition` module.");
    if (seen.has(d.definitionPath))
      throw badRequest("InvalidPush", `Component definition ${d.definitionPath} was pushed twice.`);
    seen.add(d.definitionPath);
    const deps = Array.isArray(d.dependencies) ? d.dependencies.filter((x): x is string => typeof x === "string") : [];
    const functions = Array.isArray(d.functions) ? d.functions.map(parseModule) : [];
    const schema = d.schema === null || d.schema === undefined ? [] : [{ ...parseModule(d.schema), path: "schema.js" }];
    return {
      definitionPath: d.definitionPath,
      config: parseModule(d.definition),
      dependencies: deps,
      modules: [...functions.filter((m) => !m.path.startsWith("_generated/") && m.path !== "schema.js"), ...schema],
    };
  });
}

/** Dependencies before dependents; a cycle is a push error. */
function evaluationOrder(defs: readonly RawDefinition[]): RawDefinition[] {
  const byPath = new Map(defs.map((d) => [d.definitionPath, d]));
  const state = new Map<string, "visiting" | "done">();
  const out: RawDefinition[] = [];
  const visit = (d: RawDefinition, chain: string[]) => {
    const s = state.get(d.definitionPath);
    if (s === "done") return;
    if (s === "visiting")
      throw badRequest(
        "ComponentCycle",
        `Components depend on each other in a cycle: ${[...chain, d.definitionPath].join(" -> ")}`,
      );
    state.set(d.definitionPath, "visiting");
    for (const dep of d.dependencies) {
      const child = byPath.get(dep);
      if (!child)
        throw badRequest("InvalidComponentConfig", `Component ${d.definitionPath} uses ${dep}, which was not pushed.`);
      visit(child, [...chain, d.definitionPath]);
    }
    state.set(d.definitionPath, "done");
    out.push(d);
  };
  for (const d of defs) visit(d, []);
  return out;
}

function children(exported: Record<string, unknown>, label: string, known: ReadonlySet<string>): ChildComponentJSON[] {
  const raw = exported.childComponents;
  if (!Array.isArray(raw))
    throw badRequest("InvalidComponentConfig", `convex.config.js of ${label}: childComponents is missing.`);
  const names = new Set<string>();
  return raw.map((c) => {
    if (!isRecord(c) || typeof c.name !== "string" || typeof c.path !== "string")
      throw badRequest("InvalidComponentConfig", `convex.config.js of ${label}: malformed child component.`);
    if (!IDENT.test(c.name))
      throw badRequest(
        "InvalidComponentConfig",
        `Component name ${JSON.stringify(c.name)} in ${label} must be an identifier.`,
      );
    if (names.has(c.name))
      throw badRequest(
        "InvalidComponentConfig",
        `${label} installs two components named ${c.name}; give one another name with app.use(component, { name }).`,
      );
    if (!known.has(c.path))
      throw badRequest("InvalidComponentConfig", `${label} uses component ${c.path}, which was not pushed.`);
    names.add(c.name);
    return { name: c.name, path: c.path, args: c.args ?? [], env: c.env ?? null };
  });
}

function metadataOf(
  path: string,
  exported: Record<string, unknown>,
  label: string,
  known: ReadonlySet<string>,
): DefinitionMetadata {
  return {
    path,
    definitionType: (exported.definitionType ?? { type: "app" }) as DefinitionMetadata["definitionType"],
    childComponents: children(exported, label, known),
    httpMounts: isRecord(exported.httpMounts) ? (exported.httpMounts as Record<string, string>) : {},
    exports: exported.exports ?? { type: "branch", branch: [] },
    ...(exported.envVars !== undefined ? { envVars: exported.envVars } : {}),
  };
}

/**
 * Evaluates the configs, analyzes each definition's modules (without env vars: component code
 * is env-free) and lays out the instances. Null when the app installs no component.
 */
export function prepareComponents(
  appConfig: ModuleSource | null,
  raw: readonly RawDefinition[],
  analyze: (modules: readonly ModuleSource[], label: string) => Analysis,
): Omit<ComponentsState, "appSchema"> | null {
  // Without definitions there is nothing to install (the CLI sends a stand-in app config anyway).
  if (raw.length === 0) return null;
  const known = new Set(raw.map((d) => d.definitionPath));
  const deps: ModuleSource[] = [];
  const definitions: Record<string, ComponentDefinition> = {};
  for (const d of evaluationOrder(raw)) {
    const label = `component ${d.definitionPath}`;
    const exported = evaluateConfig(d.config, deps, label);
    const metadata = metadataOf(d.definitionPath, exported, label, known);
    if (metadata.definitionType.type !== "childComponent")
      throw badRequest("InvalidComponentConfig", `${label}: convex.config.js must export defineComponent(...).`);
    const analysis = analyze(d.modules, label);
    definitions[d.definitionPath] = {
      definitionPath: d.definitionPath,
      metadata: { ...metadata, exports: exportTree(analysis) },
      modules: d.modules,
      analysis,
    };
    deps.push(componentDepsModule(d.definitionPath, metadata.definitionType.name));
  }
  const app: DefinitionMetadata = appConfig
    ? metadataOf("", evaluateConfig(appConfig, deps, "the app"), "the app", known)
    : {
        path: "",
        definitionType: { type: "app" },
        childComponents: [],
        httpMounts: {},
        exports: { type: "branch", branch: [] },
      };
  if (app.definitionType.type !== "app")
    throw badRequest("InvalidComponentConfig", "convex/convex.config.ts must export defineApp().");
  const instances: Record<string, ComponentInstance> = {};
  const prefixes = new Map<string, string>();
  const place = (path: string, definitionPath: string, meta: DefinitionMetadata, depth: number) => {
    if (depth > MAX_DEPTH)
      throw badRequest("InvalidComponentConfig", `Components are nested more than ${MAX_DEPTH} deep at ${path}.`);
    const kids: Record<string, string> = {};
    for (const c of meta.childComponents) kids[c.name] = path === "" ? c.name : `${path}/${c.name}`;
    instances[path] = { path, definitionPath, children: kids };
    if (path !== "") {
      const prefix = componentTablePrefix(path);
      const clash = prefixes.get(prefix);
      if (clash !== undefined)
        throw badRequest(
          "InvalidComponentConfig",
          `Component paths ${clash} and ${path} map to the same tables; rename one.`,
        );
      prefixes.set(prefix, path);
    }
    for (const c of meta.childComponents) place(kids[c.name]!, c.path, definitions[c.path]!.metadata, depth + 1);
  };
  place("", "", app, 0);
  return { app, definitions, instances };
}

type ExportNode = { type: "leaf"; leaf: string } | { type: "branch"; branch: [string, ExportNode][] };

/**
 * What a component exports to its parent: its public functions, as a tree of module path
 * segments (the CLI generates the `ComponentApi` type from it).
 */
function exportTree(analysis: Analysis): ExportNode {
  const root: ExportNode = { type: "branch", branch: [] };
  const branchAt = (node: Extract<ExportNode, { type: "branch" }>, name: string) => {
    let child = node.branch.find(([n]) => n === name)?.[1];
    if (!child) {
      child = { type: "branch", branch: [] };
      node.branch.push([name, child]);
    }
    return child as Extract<ExportNode, { type: "branch" }>;
  };
  for (const m of analysis.modules) {
    const segments = m.path.replace(/\.js$/, "").split("/");
    for (const f of m.functions) {
      if (f.visibility !== "public") continue;
      let node = root;
      for (const s of segments) node = branchAt(node, s);
      node.branch.push([
        f.name,
        { type: "leaf", leaf: `_reference/function/${m.path.replace(/\.js$/, "")}:${f.name}` },
      ]);
    }
  }
  return root;
}

/**
 * The app's schema plus every instance's tables under their store names, so index building,
 * document validation and index diffs treat component tables like any other. A component
 * whose schema does not validate documents gets `any` types.
 */
export function combinedSchema(
  appSchema: SchemaJSON | null,
  state: Omit<ComponentsState, "appSchema"> | null,
): SchemaJSON | null {
  if (!state) return appSchema;
  const tables: SchemaJSON["tables"][number][] = [...(appSchema?.tables ?? [])];
  for (const inst of Object.values(state.instances)) {
    if (inst.path === "") continue;
    const schema = state.definitions[inst.definitionPath]?.analysis.schema;
    if (!schema) continue;
    const prefix = componentTablePrefix(inst.path);
    for (const t of schema.tables) {
      const ns = tableNamespace(inst.path);
      tables.push({
        ...t,
        tableName: `${prefix}${t.tableName}`,
        documentType: schema.schemaValidation ? scopeValidator(t.documentType, ns) : { type: "any" },
      });
    }
  }
  if (!appSchema && tables.length === 0) return null;
  return { tables, schemaValidation: appSchema?.schemaValidation ?? false };
}
