/** Calls an exported function object the way the Convex runtime does (research §5.3). */
import type { ConvexJSON } from "@tandem/storage";
import type { FunctionKind } from "../engine/types.js";
import type { ModuleGraph } from "./module_loader.js";
import type { FunctionPath } from "./paths.js";

type Registered = {
  invokeQuery?: (args: string) => Promise<string>;
  invokeMutation?: (args: string) => Promise<string>;
  invokeAction?: (requestId: string, args: string) => Promise<string>;
};

export async function invokeExport(
  graph: ModuleGraph,
  path: FunctionPath,
  kind: FunctionKind,
  args: ConvexJSON,
  requestId: string,
): Promise<ConvexJSON> {
  const exports = graph.require(path.module);
  const fn = exports[path.name] as Registered | undefined;
  const argsText = JSON.stringify([args]);
  let text: string;
  switch (kind) {
    case "query":
      text = await fn!.invokeQuery!(argsText);
      break;
    case "mutation":
      text = await fn!.invokeMutation!(argsText);
      break;
    case "action":
      text = await fn!.invokeAction!(requestId, argsText);
      break;
    default:
      return kind satisfies never;
  }
  return JSON.parse(text) as ConvexJSON;
}
