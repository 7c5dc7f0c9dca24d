/**
 * Where a function call goes when components are installed. Code names functions in three
 * ways (`npm:server/components/paths.ts getFunctionAddress`), all relative to the calling instance:
 *
 *   `mod:fn` or `_reference/function/mod:fn`   a function of the caller's own instance
 *   `_reference/childComponent/<child>/mod/fn`  a public function of one of its children
 *   `function://<instance>#mod:fn`              a handle made by `createFunctionHandle`
 *
 * Internal functions are reachable only from their own instance and through handles, which
 * is how a component calls back into the app (workpool's `onComplete`).
 */
import { badRequest } from "../errors.js";
import type { ComponentsState } from "./types.js";

export interface FunctionAddress {
  /** Instance path, `""` for the app. */
  readonly component: string;
  /** Udf path within the instance (`mod:fn`). */
  readonly udfPath: string;
  /** False when the call crosses into a child: only public functions are exported. */
  readonly allowInternal: boolean;
}

const HANDLE = "function://";
const CHILD = "_reference/childComponent/";
const OWN = "_reference/function/";

export function isComponentAddress(path: string): boolean {
  return path.startsWith(HANDLE) || path.startsWith(CHILD);
}

export function functionHandle(component: string, udfPath: string): string {
  return `${HANDLE}${component}#${udfPath}`;
}

export function locate(path: string, caller: string, components: ComponentsState | undefined): FunctionAddress {
  if (path.startsWith(HANDLE)) {
    const rest = path.slice(HANDLE.length);
    const hash = rest.indexOf("#");
    // Handles from before components carried only the path.
    if (hash < 0) return { component: "", udfPath: rest, allowInternal: true };
    const component = rest.slice(0, hash);
    if (component !== "" && !components?.instances[component])
      throw badRequest(
        "InvalidFunctionCall",
        `Function handle ${JSON.stringify(path.slice(0, 200))} names a component that is not installed.`,
      );
    return { component, udfPath: rest.slice(hash + 1), allowInternal: true };
  }
  if (path.startsWith(CHILD)) {
    const parts = path.slice(CHILD.length).split("/");
    const [child, ...fn] = parts;
    const target = child === undefined ? undefined : components?.instances[caller]?.children[child];
    if (target === undefined)
      throw badRequest(
        "InvalidFunctionCall",
        `Component ${JSON.stringify(child ?? "")} is not installed in ${caller === "" ? "the app" : `component ${caller}`}.`,
      );
    if (fn.length < 2)
      throw badRequest(
        "InvalidFunctionCall",
        `Expected components.${child}.<module>.<function>, got ${JSON.stringify(path.slice(0, 200))}.`,
      );
    return { component: target, udfPath: `${fn.slice(0, -1).join("/")}:${fn[fn.length - 1]}`, allowInternal: false };
  }
  return { component: caller, udfPath: path.startsWith(OWN) ? path.slice(OWN.length) : path, allowInternal: true };
}

/** How a run is logged: a component's function as a handle, which the log stream splits into path and component. */
export function logIdentifier(fn: {
  readonly path: { readonly module: string; readonly name: string };
  readonly component?: string;
}): string {
  const udf = `${fn.path.module.replace(/\.js$/, "")}:${fn.path.name}`;
  return fn.component ? functionHandle(fn.component, udf) : udf;
}
