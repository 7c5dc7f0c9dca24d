/**
 * Export discovery (docs/architecture.md#analysis): import every pushed module in a fresh realm with no database
 * and report the functions, HTTP routes, crons, schema and auth config it defines.
 */
import type {
  Analysis,
  FunctionMetadata,
  ModuleAnalysis,
  ModuleSource,
  NodePackages,
  SchemaJSON,
  CronSpec,
} from "../engine/deployment.js";
import { badRequest } from "../errors.js";
import { ModuleGraph } from "./module-loader.js";
import { LogCollector, Realm, type SyscallHandler } from "./realm.js";
import { NodeRealm } from "./node-realm.js";
import { validateCrons } from "../scheduler/validate-crons.js";

const noDatabase: SyscallHandler = {
  syscall: (op) => {
    throw new Error(`${op} is not available while modules are being analyzed`);
  },
  asyncSyscall: async (op) => {
    throw new Error(`${op} is not available while modules are being analyzed`);
  },
  jsSyscall: (op) => {
    throw new Error(`${op} is not available while modules are being analyzed`);
  },
};

const SPECIAL = new Set(["schema.js", "auth.config.js", "convex.config.js"]);

export function isFunctionModule(path: string): boolean {
  return !path.startsWith("_deps/") && !SPECIAL.has(path) && !path.startsWith("_generated/");
}

export function analyzeModules(
  modules: readonly ModuleSource[],
  env: Readonly<Record<string, string>>,
  nodePackages: NodePackages | null = null,
): Analysis {
  const realm = new Realm("action");
  const graph = new ModuleGraph(realm, modules, nodePackages);
  // `"use node"` modules load where they will run: in Node's own realm.
  const nodeRealm = new NodeRealm();
  const nodeGraph = new ModuleGraph(nodeRealm, modules, nodePackages);
  const exec = { handler: noDatabase, logs: new LogCollector(), nowMs: Date.now(), seed: 1, env };
  realm.enter(exec);
  nodeRealm.enter(exec);
  try {
    const out: ModuleAnalysis[] = [];
    for (const m of modules) {
      if (!isFunctionModule(m.path) || m.environment !== "isolate") {
        if (m.environment === "node" && isFunctionModule(m.path)) out.push(analyzeNodeModule(nodeGraph, m.path));
        continue;
      }
      out.push(analyzeOne(graph, m.path));
    }
    validateCrons(out);
    const schema = graph.has("schema.js") ? evaluateSchema(graph) : null;
    const authConfig = graph.has("auth.config.js") ? evaluateAuthConfig(realm, modules, env) : null;
    return { modules: out, schema, authConfig };
  } finally {
    realm.leave();
    nodeRealm.leave();
  }
}

function load(graph: ModuleGraph, path: string): Record<string, unknown> {
  try {
    return graph.require(path);
  } catch (e) {
    throw badRequest("ModuleAnalysisFailed", `Failed to analyze ${path}: Uncaught ${describe(e)}`);
  }
}

function describe(e: unknown): string {
  if (e && typeof e === "object" && "message" in e) {
    const err = e as { name?: string; message: string };
    return `${err.name ?? "Error"}: ${err.message}`;
  }
  return String(e);
}

function analyzeOne(graph: ModuleGraph, path: string): ModuleAnalysis {
  const exports = load(graph, path);
  const functions: FunctionMetadata[] = [];
  let httpRoutes: ModuleAnalysis["httpRoutes"] = null;
  let crons: Record<string, CronSpec> | null = null;
  for (const [name, value] of Object.entries(exports)) {
    const fn = value as Record<string, unknown> | null;
    if (!fn || (typeof fn !== "function" && typeof fn !== "object")) continue;
    if (path === "http.js" && name === "default" && fn.isRouter === true && typeof fn.getRoutes === "function") {
      const routes = (fn.getRoutes as () => [string, string, unknown][])();
      httpRoutes = routes.map(([p, method]) => ({ path: p, method }));
      continue;
    }
    if (path === "crons.js" && name === "default" && fn.isCrons === true && typeof fn.export === "function") {
      crons = JSON.parse((fn.export as () => string)()) as Record<string, CronSpec>;
      continue;
    }
    const kinds = [
      fn.isQuery === true && "query",
      fn.isMutation === true && "mutation",
      fn.isAction === true && "action",
    ].filter(Boolean) as FunctionMetadata["kind"][];
    if (kinds.length !== 1) continue;
    if (fn.isPublic === true && fn.isInternal === true) continue;
    const kind = kinds[0]!;
    functions.push({
      name,
      kind,
      visibility: fn.isInternal === true ? "internal" : "public",
      args: typeof fn.exportArgs === "function" ? (fn.exportArgs as () => string)() : '{"type":"any"}',
      returns: typeof fn.exportReturns === "function" ? ((fn.exportReturns as () => string)() ?? null) : null,
    });
  }
  return { path, functions, httpRoutes, crons };
}

/** `"use node"` modules may only define actions. */
function analyzeNodeModule(graph: ModuleGraph, path: string): ModuleAnalysis {
  return analyzeOne(graph, path);
}

function evaluateSchema(graph: ModuleGraph): SchemaJSON {
  const exports = load(graph, "schema.js");
  const schema = exports.default as { export?: () => string } | undefined;
  if (!schema || typeof schema.export !== "function")
    throw badRequest("InvalidSchema", "schema.js must default-export the result of defineSchema(...)");
  return JSON.parse(schema.export()) as SchemaJSON;
}

/** Evaluates auth.config.js with env vars; an unset variable fails the push as Convex does. */
function evaluateAuthConfig(
  realm: Realm,
  modules: readonly ModuleSource[],
  env: Readonly<Record<string, string>>,
): { providers: unknown[] } {
  const missing: string[] = [];
  const authRealm = new Realm("udf");
  const envProxy = new Proxy({ ...env } as Record<string, string>, {
    get(target, key) {
      if (typeof key !== "string") return undefined;
      if (!(key in target)) missing.push(key);
      return target[key];
    },
  });
  void realm;
  const graph = new ModuleGraph(authRealm, modules);
  authRealm.enter({ handler: noDatabase, logs: new LogCollector(), nowMs: Date.now(), seed: 1, env: {} });
  (authRealm.context as { process: { env: unknown } }).process.env = envProxy;
  try {
    const exports = load(graph, "auth.config.js");
    if (missing.length > 0)
      throw badRequest(
        "AuthConfigMissingEnvironmentVariable",
        `Environment variable ${missing[0]} is used in auth config file but its value was not set`,
      );
    const config = JSON.parse(JSON.stringify(exports.default ?? null)) as { providers?: unknown } | null;
    if (!config || !Array.isArray(config.providers))
      throw badRequest("InvalidAuthConfig", "auth.config.ts must default-export an object with a `providers` array");
    return { providers: config.providers };
  } finally {
    authRealm.leave();
  }
}
