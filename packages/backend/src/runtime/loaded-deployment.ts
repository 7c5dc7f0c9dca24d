/**
 * A deployment ready to run: its function table and a realm with its modules loaded for queries
 * and mutations (shared, one execution at a time), plus fresh realms for actions.
 */
import type { ValidatorJSON } from "convex/values";
import { badRequest } from "../errors.js";
import type { Deployment, FunctionMetadata } from "../engine/deployment.js";
import type { FunctionKind } from "../engine/types.js";
import { ModuleGraph } from "./module-loader.js";
import { canonicalPath, displayPath, parseUdfPath, type FunctionPath } from "./paths.js";
import { Realm } from "./realm.js";
import { NodeRealm, type FunctionRealm } from "./node-realm.js";

export interface ResolvedFunction {
  readonly path: FunctionPath;
  readonly meta: FunctionMetadata;
}

/** Parsed `args`/`returns` validators, parsed once per function of a deployment. */
const parsedValidators = new WeakMap<FunctionMetadata, { args: ValidatorJSON; returns: ValidatorJSON | null }>();

export function validatorsOf(meta: FunctionMetadata): { args: ValidatorJSON; returns: ValidatorJSON | null } {
  let v = parsedValidators.get(meta);
  if (!v) {
    v = { args: JSON.parse(meta.args) as ValidatorJSON, returns: meta.returns === null ? null : (JSON.parse(meta.returns) as ValidatorJSON | null) };
    parsedValidators.set(meta, v);
  }
  return v;
}

const KIND_NAME: Record<FunctionKind, string> = { query: "Query", mutation: "Mutation", action: "Action" };

export class LoadedDeployment {
  readonly deployment: Deployment;
  readonly #functions = new Map<string, FunctionMetadata>();
  #udf: { realm: Realm; graph: ModuleGraph } | null = null;

  constructor(deployment: Deployment) {
    this.deployment = deployment;
    for (const m of deployment.analysis.modules)
      for (const f of m.functions) this.#functions.set(`${m.path}:${f.name}`, f);
  }

  /** Finds a function, enforcing visibility and kind with Convex's messages (docs/http-api.md#function-endpoints). */
  resolve(path: string, kind: FunctionKind, allowInternal: boolean): ResolvedFunction {
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
  metaOf(path: FunctionPath): FunctionMetadata | undefined {
    return this.#functions.get(canonicalPath(path));
  }

  /** Looks a function up by path without knowing its kind (for `/api/function`). */
  kindOf(path: string): FunctionKind | null {
    return this.#functions.get(canonicalPath(parseUdfPath(path)))?.kind ?? null;
  }

  hasModule(path: string): boolean {
    return this.deployment.modules.some((m) => m.path === path);
  }

  udfRealm(): { realm: Realm; graph: ModuleGraph } {
    if (!this.#udf || this.#udf.realm.poisoned) {
      const realm = new Realm("udf");
      this.#udf = { realm, graph: new ModuleGraph(realm, this.deployment.modules, this.deployment.nodePackages) };
    }
    return this.#udf;
  }

  /** A fresh realm for one action: Node's own for a `"use node"` module, else a `vm` context. */
  actionRealm(modulePath?: string): { realm: FunctionRealm; graph: ModuleGraph } {
    const node = modulePath !== undefined && this.deployment.modules.some((m) => m.path === modulePath && m.environment === "node");
    const realm = node ? new NodeRealm() : new Realm("action");
    return { realm, graph: new ModuleGraph(realm, this.deployment.modules, this.deployment.nodePackages) };
  }
}
