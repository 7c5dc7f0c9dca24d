/** Calls an exported function object the way the Convex runtime does (research §5.3). */
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionKind } from "../engine/types.js";
import type { ModuleGraph } from "./module_loader.js";
import type { FunctionPath } from "./paths.js";
import type { Realm } from "./realm.js";

/** Convex's limit on user code time for queries and mutations (research §5.7). */
export const UDF_TIMEOUT_MS = 1000;
const ACTION_TIMEOUT_MS = 600_000;

type Registered = {
  invokeQuery?: (args: string) => Promise<string>;
  invokeMutation?: (args: string) => Promise<string>;
  invokeAction?: (requestId: string, args: string) => Promise<string>;
};

export async function invokeExport(
  realm: Realm,
  graph: ModuleGraph,
  path: FunctionPath,
  kind: FunctionKind,
  args: ConvexJSON,
  requestId: string,
): Promise<ConvexJSON> {
  const exports = graph.require(path.module);
  const fn = exports[path.name] as Registered | undefined;
  const argsText = JSON.stringify([args]);
  let pending: unknown;
  switch (kind) {
    case "query":
      pending = realm.callWithTimeout(fn!, "invokeQuery", [argsText], UDF_TIMEOUT_MS);
      break;
    case "mutation":
      pending = realm.callWithTimeout(fn!, "invokeMutation", [argsText], UDF_TIMEOUT_MS);
      break;
    case "action":
      pending = realm.callWithTimeout(fn!, "invokeAction", [requestId, argsText], ACTION_TIMEOUT_MS);
      break;
    default:
      return kind satisfies never;
  }
  const text = (await pending) as string;
  return JSON.parse(text) as ConvexJSON;
}
