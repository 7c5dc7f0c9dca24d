/**
 * `POST /api/function` with a `componentPath` (`npx convex run --component <path>`): admins may
 * run any function of an installed instance. The call travels as a function handle, which the
 * engine resolves inside that instance.
 */
import { badRequest } from "../errors.js";
import type { Deployment, FunctionKind } from "../engine/deployment.js";
import { checkUdfPath, displayPath } from "../runtime/paths.js";
import { functionHandle } from "./addresses.js";

export function componentCall(
  deployment: Deployment | null,
  componentPath: string,
  path: string,
): { handle: string; kind: FunctionKind | null } {
  const components = deployment?.analysis.components;
  const inst = components?.instances[componentPath];
  if (!inst)
    throw badRequest(
      "InvalidFunctionCall",
      `No component is installed at ${JSON.stringify(componentPath.slice(0, 200))}.`,
    );
  const p = checkUdfPath(path);
  if (!p) throw badRequest("InvalidUdfPath", `Invalid function path: ${JSON.stringify(path.slice(0, 100))}`);
  const mod = components!.definitions[inst.definitionPath]?.analysis.modules.find((m) => m.path === p.module);
  const kind = mod?.functions.find((f) => f.name === p.name)?.kind ?? null;
  return { handle: functionHandle(componentPath, displayPath(p)), kind };
}
