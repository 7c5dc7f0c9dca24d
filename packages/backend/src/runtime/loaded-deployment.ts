/**
 * A deployment ready to run: its function table and a realm with its modules loaded for queries
 * and mutations (shared, one execution at a time), plus fresh realms for actions.
 */
import type { ValidatorJSON } from "convex/values";
import { badRequest } from "../errors.js";
import type { Deployment, FunctionMetadata, ModuleSource } from "../engine/deployment.js";
import { isComponentAddress, locate } from "../components/addresses.js";
import { scopeValidator, tableNamespace } from "../components/types.js";
import type { FunctionKind } from "../engine/types.js";
import { ModuleGraph } from "./module-loader.js";
import { canonicalPath, displayPath, parseUdfPath, type FunctionPath } from "./paths.js";
import { Realm } from "./realm.js";
import { NodeRealm, type FunctionRealm } from "./node-realm.js";

export interface ResolvedFunction {
  readonly path: FunctionPath;
  readonly meta: FunctionMetadata;
  /** The component instance it belongs to; absent or `""` for the app. */
  readonly component?: string;
}

/** Parsed `args`/`returns` validators, parsed once per function of a deployment. */
const parsedValidators = new WeakMap<FunctionMetadata, { args: ValidatorJSON; returns: ValidatorJSON | null }>();

export function validatorsOf(meta: FunctionMetadata): { args: ValidatorJSON; returns: ValidatorJSON | null } {
  let v = parsedValidators.get(meta);
  if (!v) {
    v = {
      args: JSON.parse(meta.args) as ValidatorJSON,
      returns: meta.returns === null ? null : (JSON.parse(meta.returns) as ValidatorJSON | null),
    };
    parsedValidators.set(meta, v);
  }
  return v;
}

const KIND_NAME: Record<FunctionKind, string> = { query: "Query", mutation: "Mutation", action: "Action" };

export class LoadedDeployment {
  readonly deployment: Deployment;
  readonly #functions = new Map<string, FunctionMetadata>();
  #udf: { realm: Realm; graph: ModuleGraph } | null = null;
  /** Per component instance: its functions, and its own realm (as each runs in its own isolate on Convex). */
  readonly #instances = new Map<
    string,
    {
      functions: Map<string, FunctionMetadata>;
      modules: readonly ModuleSource[];
      udf: { realm: Realm; graph: ModuleGraph } | null;
    }
  >();

  constructor(deployment: Deployment) {
    this.deployment = deployment;
    for (const m of deployment.analysis.modules)
      for (const f of m.functions) this.#functions.set(`${m.path}:${f.name}`, f);
    const components = deployment.analysis.components;
    for (const inst of Object.values(components?.instances ?? {})) {
      const def = components!.definitions[inst.definitionPath];
      if (inst.path === "" || !def) continue;
      const functions = new Map<string, FunctionMetadata>();
      const ns = tableNamespace(inst.path);
      // `v.id("t")` in an instance's validators means that instance's table `t`.
      const scoped = (text: string) => JSON.stringify(scopeValidator(JSON.parse(text), ns));
      for (const m of def.analysis.modules)
        for (const f of m.functions)
          functions.set(`${m.path}:${f.name}`, {
            ...f,
            args: scoped(f.args),
            returns: f.returns === null ? null : scoped(f.returns),
          });
      this.#instances.set(inst.path, { functions, modules: def.modules, udf: null });
    }
  }

  /** The kind of the function a call names (for `createFunctionHandle`, which does not say). */
  kindOfCall(path: string, caller: string): FunctionKind {
    const a = locate(path, caller, this.deployment.analysis.components);
    const p = parseUdfPath(a.udfPath);
    const meta =
      a.component === ""
        ? this.#functions.get(canonicalPath(p))
        : this.#instances.get(a.component)?.functions.get(canonicalPath(p));
    if (!meta)
      throw badRequest(
        "FunctionNotFound",
        `Could not find function for '${displayPath(p)}'${a.component ? ` in component '${a.component}'` : ""}.`,
      );
    return meta.kind;
  }

  /** Resolves a call made by code of instance `caller` (see components/addresses.ts). */
  resolveCall(path: string, caller: string, kind: FunctionKind): ResolvedFunction {
    const key = `${kind}|${caller}|${path}`;
    const known = this.#calls.get(key);
    if (known) return known;
    const found = this.#resolveCall(path, caller, kind);
    // Bounded: handles come from data.
    if (this.#calls.size >= 10_000) this.#calls.clear();
    this.#calls.set(key, found);
    return found;
  }

  readonly #calls = new Map<string, ResolvedFunction>();

  #resolveCall(path: string, caller: string, kind: FunctionKind): ResolvedFunction {
    const a = locate(path, caller, this.deployment.analysis.components);
    if (a.component === "") return { ...this.#resolve(a.udfPath, kind, a.allowInternal), component: "" };
    const inst = this.#instances.get(a.component);
    const p = parseUdfPath(a.udfPath);
    const meta = inst?.functions.get(canonicalPath(p));
    if (!meta || (meta.visibility === "internal" && !a.allowInternal))
      throw badRequest(
        "FunctionNotFound",
        `Could not find function for '${displayPath(p)}' in component '${a.component}'${meta ? " (it is internal: components export only public functions)" : ""}.`,
      );
    if (meta.kind !== kind)
      throw badRequest(
        "WrongFunctionKind",
        `Trying to execute ${canonicalPath(p)} in component '${a.component}' as ${KIND_NAME[kind]}, but it is defined as ${KIND_NAME[meta.kind]}.`,
      );
    return { path: p, meta, component: a.component };
  }

  /** Finds a function, enforcing visibility and kind with Convex's messages (docs/http-api.md#function-endpoints). */
  resolve(path: string, kind: FunctionKind, allowInternal: boolean): ResolvedFunction {
    // Engine-internal callers (actions' ctx.runQuery) may name component functions and handles.
    if (allowInternal && isComponentAddress(path)) return this.resolveCall(path, "", kind);
    const key = `${kind}|${allowInternal ? 1 : 0}|${path}`;
    const known = this.#resolved.get(key);
    if (known) return known;
    const found = this.#resolve(path, kind, allowInternal);
    // Bounded: paths come from clients.
    if (this.#resolved.size >= 10_000) this.#resolved.clear();
    this.#resolved.set(key, found);
    return found;
  }

  /** Successful lookups by (kind, visibility, path as sent): every call resolves its function. */
  readonly #resolved = new Map<string, ResolvedFunction>();

  #resolve(path: string, kind: FunctionKind, allowInternal: boolean): ResolvedFunction {
    const p = parseUdfPath(path);
    const meta = this.#functions.get(canonicalPath(p));
    if (!meta || (meta.visibility === "internal" && !allowInternal))
      throw badRequest(
        "FunctionNotFound",
        allowInternal
          ? `Could not find function for '${displayPath(p)}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`
          : `Could not find public function for '${displayPath(p)}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
      );
    if (meta.kind !== kind)
      throw badRequest(
        "WrongFunctionKind",
        `Trying to execute ${canonicalPath(p)} as ${KIND_NAME[kind]}, but it is defined as ${KIND_NAME[meta.kind]}.`,
      );
    return { path: p, meta };
  }

  /** The metadata of a function already resolved (by path) elsewhere. */
  metaOf(path: FunctionPath, component = ""): FunctionMetadata | undefined {
    if (component !== "") return this.#instances.get(component)?.functions.get(canonicalPath(path));
    return this.#functions.get(canonicalPath(path));
  }

  /** Looks a function up by path without knowing its kind (for `/api/function`). */
  kindOf(path: string): FunctionKind | null {
    // Component functions the scheduler runs are stored as addresses (a handle); one naming a
    // component no longer installed is "not found", as a missing app function is.
    if (isComponentAddress(path)) {
      try {
        return this.kindOfCall(path, "");
      } catch {
        return null;
      }
    }
    return this.#functions.get(canonicalPath(parseUdfPath(path)))?.kind ?? null;
  }

  /** Whether the app (or component instance `component`) has the module `path`. */
  hasModule(path: string, component = ""): boolean {
    const modules = component === "" ? this.deployment.modules : (this.#instances.get(component)?.modules ?? []);
    return modules.some((m) => m.path === path);
  }

  udfRealm(component = ""): { realm: Realm; graph: ModuleGraph } {
    if (component !== "") {
      const inst = this.#instances.get(component);
      if (!inst) throw badRequest("InvalidFunctionCall", `Component ${component} is not installed.`);
      if (!inst.udf || inst.udf.realm.poisoned) {
        const realm = new Realm("udf");
        inst.udf = { realm, graph: new ModuleGraph(realm, inst.modules, null) };
      }
      return inst.udf;
    }
    if (!this.#udf || this.#udf.realm.poisoned) {
      const realm = new Realm("udf");
      this.#udf = { realm, graph: new ModuleGraph(realm, this.deployment.modules, this.deployment.nodePackages) };
    }
    return this.#udf;
  }

  /** A fresh realm for one action: Node's own for a `"use node"` module, else a `vm` context. */
  actionRealm(modulePath?: string, component = ""): { realm: FunctionRealm; graph: ModuleGraph } {
    if (component !== "") {
      const realm = new Realm("action");
      return { realm, graph: new ModuleGraph(realm, this.#instances.get(component)?.modules ?? [], null) };
    }
    const node =
      modulePath !== undefined &&
      this.deployment.modules.some((m) => m.path === modulePath && m.environment === "node");
    const realm = node ? new NodeRealm() : new Realm("action");
    return { realm, graph: new ModuleGraph(realm, this.deployment.modules, this.deployment.nodePackages) };
  }
}
