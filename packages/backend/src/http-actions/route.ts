/**
 * Which instance's `http.js` answers a request, as Convex routes it: `app.use(c, { httpPrefix })`
 * mounts `c`'s router at that prefix (the CLI sends it as `httpMounts["/prefix/"]`). Starting at
 * the app: an exact route of the instance's own router wins; otherwise the longest match among its
 * prefix routes and its mounts (a mount wins a tie); a mount strips its prefix (`/oauth/github/`
 * + `callback` is routed to the child as `/callback`) and routing goes on in the child, whose own
 * mounts are relative to it. Without a match the instance's own router answers (its 404).
 */
import type { ComponentsState, DefinitionMetadata } from "../components/types.js";

/** The part of a `convex/server` `HttpRouter` routing needs. */
export interface RouteLookup {
  /** `[handler, method, path]`; `path` is the route's (`"/prefix/*"` for a prefix route), or null. */
  lookup(path: string, method: string): unknown;
}

export interface Routed {
  /** Instance path (`""` is the app). */
  readonly component: string;
  /** The path that instance's router sees. */
  readonly path: string;
}

const CHILD_REFERENCE = "_reference/childComponent/";
/** Mounts nest no deeper than components do (components/push.ts). */
const MAX_HOPS = 16;

/**
 * `routerOf(instance)` is its `http.js` router, or null when it has none. Null when no instance
 * can answer (no router where routing ends).
 */
export function routeRequest(
  state: ComponentsState | undefined,
  pathname: string,
  method: string,
  routerOf: (component: string) => RouteLookup | null,
): Routed | null {
  let component = "";
  let path = pathname;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const router = routerOf(component);
    const mounts = Object.entries(metadataOf(state, component)?.httpMounts ?? {});
    if (!router && mounts.length === 0) return null;
    const match = router?.lookup(path, method) as readonly unknown[] | null | undefined;
    const matched = Array.isArray(match) && typeof match[2] === "string" ? match[2] : null;
    if (matched === path) return { component, path };
    // Length of the unmatched rest: the shorter, the more specific the match.
    let best: { rest: number; child: string | null } | null =
      matched?.endsWith("*") === true ? { rest: path.length - (matched.length - 1), child: null } : null;
    for (const [mount, reference] of mounts) {
      if (!path.startsWith(mount) || !reference.startsWith(CHILD_REFERENCE)) continue;
      const rest = path.length - mount.length;
      if (best && best.rest < rest) continue;
      best = { rest, child: reference.slice(CHILD_REFERENCE.length) };
    }
    if (!best || best.child === null) return router ? { component, path } : null;
    const child = state?.instances[component]?.children[best.child];
    if (child === undefined) return null;
    path = `/${path.slice(path.length - best.rest)}`;
    component = child;
  }
  return null;
}

function metadataOf(state: ComponentsState | undefined, component: string): DefinitionMetadata | undefined {
  if (!state) return undefined;
  if (component === "") return state.app;
  const inst = state.instances[component];
  return inst ? state.definitions[inst.definitionPath]?.metadata : undefined;
}
