/**
 * Loads pushed ES modules into a realm. `vm` can only run scripts without a flag, so each module
 * is transformed once to CommonJS with esbuild and evaluated through a small `require` that
 * resolves the relative imports between pushed modules (`./_deps/X.js`). Bare imports are
 * refused: isolate bundles contain everything they need (docs/architecture.md#modules-and-paths).
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { transformSync } from "esbuild";
import { createRequire, isBuiltin } from "node:module";
import type { ModuleSource, NodePackages } from "../engine/deployment.js";
import { externalPackageRequire } from "./node-packages.js";
import type { FunctionRealm } from "./node-realm.js";

const compiled = new Map<string, string>();
const hostRequire = createRequire(import.meta.url);

/** CommonJS text of an ESM module, cached by content. */
export function toCommonJs(source: string): string {
  const key = createHash("sha256").update(source).digest("base64");
  let code = compiled.get(key);
  if (code === undefined) {
    code = transformSync(source, { format: "cjs", loader: "js", target: "es2022", logLevel: "silent" }).code;
    if (compiled.size > 2000) compiled.clear();
    compiled.set(key, code);
  }
  return code;
}

export class ModuleGraph {
  readonly #sources = new Map<string, ModuleSource>();
  readonly #cache = new Map<string, { exports: Record<string, unknown> }>();
  readonly #realm: FunctionRealm;
  readonly #external: ((spec: string) => unknown) | null;

  constructor(realm: FunctionRealm, modules: readonly ModuleSource[], nodePackages?: NodePackages | null) {
    this.#realm = realm;
    this.#external = nodePackages && nodePackages.dependencies.length > 0 ? externalPackageRequire(nodePackages) : null;
    for (const m of modules) this.#sources.set(normalize(m.path), m);
  }

  has(path: string): boolean {
    return this.#sources.has(normalize(path));
  }

  paths(): string[] {
    return [...this.#sources.keys()];
  }

  /** Evaluates (once) and returns a module's exports. */
  require(path: string): Record<string, unknown> {
    // Every call looks its module up: paths already normal (the usual) skip `normalize`.
    const hit = this.#cache.get(path);
    if (hit) return hit.exports;
    const key = normalize(path);
    const cached = this.#cache.get(key);
    if (cached) return cached.exports;
    const mod = this.#sources.get(key);
    if (!mod) throw new Error(`Cannot find module '${path}'`);
    const record = { exports: {} as Record<string, unknown> };
    this.#cache.set(key, record);
    try {
      const wrapper = this.#realm.run(
        `(function (exports, require, module) {${toCommonJs(mod.source)}\n})`,
        `../convex/${key}`,
      ) as (e: unknown, r: (s: string) => unknown, m: unknown) => void;
      const dir = posix.dirname(key);
      const localRequire = (spec: string) => {
        if (spec.startsWith(".")) return this.require(posix.join(dir, spec));
        // `"use node"` modules may use Node's built-in modules, as on Convex.
        if (mod.environment === "node" && isBuiltin(spec)) return hostRequire(spec);
        // ...and the npm packages the CLI marked external (it bundles every other one).
        if (mod.environment === "node" && this.#external) return this.#external(spec);
        throw new Error(
          mod.environment === "node"
            ? `Cannot import '${spec}' from ${key}: it is not bundled and not among the external packages of this push (convex.json \`node.externalPackages\`)`
            : `Cannot import '${spec}' from ${key}: only relative imports of pushed modules are available here`,
        );
      };
      wrapper(record.exports, localRequire, record);
    } catch (e) {
      this.#cache.delete(key);
      throw e;
    }
    return record.exports;
  }
}

function normalize(path: string): string {
  return posix.normalize(path).replace(/^\.\//, "");
}
