/** Calls an exported function object the way the Convex runtime does (docs/architecture.md#invocation). */
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionKind } from "../engine/types.js";
import type { ModuleGraph } from "./module-loader.js";
import type { FunctionPath } from "./paths.js";
import type { FunctionRealm } from "./node-realm.js";

/** Convex's limit on user code time for queries and mutations (docs/architecture.md#runtime-environment). */
export const UDF_TIMEOUT_MS = 1000;

/**
 * Inline (main-thread) execution guards the synchronous part of user code with a `vm` timeout,
 * which costs a watchdog thread per call. Function worker threads turn it off: there the
 * engine's watchdog replaces a thread that overruns, wherever the code loops.
 */
let guardWithVmTimeout = true;
export function setVmTimeoutGuard(enabled: boolean): void {
  guardWithVmTimeout = enabled;
}

function call(realm: FunctionRealm, target: object, method: string, args: unknown[], timeoutMs: number): unknown {
  if (!guardWithVmTimeout) return (target as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
  return realm.callWithTimeout(target, method, args, timeoutMs);
}
const ACTION_TIMEOUT_MS = 600_000;

type Registered = {
  invokeQuery?: (args: string) => Promise<string>;
  invokeMutation?: (args: string) => Promise<string>;
  invokeAction?: (requestId: string, args: string) => Promise<string>;
};

export async function runExport(
  realm: FunctionRealm,
  graph: ModuleGraph,
  path: FunctionPath,
  kind: FunctionKind,
  args: ConvexJSON,
  requestId: string,
): Promise<ConvexJSON> {
  return JSON.parse(await runExportText(realm, graph, path, kind, args, requestId)) as ConvexJSON;
}

/** `runExport`'s value as the JSON text the function's wrapper produced. */
export async function runExportText(
  realm: FunctionRealm,
  graph: ModuleGraph,
  path: FunctionPath,
  kind: FunctionKind,
  args: ConvexJSON,
  requestId: string,
): Promise<string> {
  const exports = graph.require(path.module);
  const fn = exports[path.name] as Registered | undefined;
  const argsText = JSON.stringify([args]);
  let pending: unknown;
  switch (kind) {
    case "query":
      pending = call(realm, fn!, "invokeQuery", [argsText], UDF_TIMEOUT_MS);
      break;
    case "mutation":
      pending = call(realm, fn!, "invokeMutation", [argsText], UDF_TIMEOUT_MS);
      break;
    case "action":
      pending = call(realm, fn!, "invokeAction", [requestId, argsText], ACTION_TIMEOUT_MS);
      break;
    default:
      return kind satisfies never;
  }
  return (await pending) as string;
}
