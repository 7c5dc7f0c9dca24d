/**
 * Push checks of `use(c, { httpPrefix })` mounts, as Convex makes them: each names a child of
 * that definition, the child has routes of its own (its `http.ts` or mounts), and the parent's
 * `http.ts` has no prefix route at exactly the mount path. Routing: http-actions/route.ts.
 */
import { badRequest } from "../errors.js";
import type { ModuleAnalysis } from "../engine/deployment.js";
import type { ComponentsState, DefinitionMetadata } from "./types.js";

const CHILD_REFERENCE = "_reference/childComponent/";

type Routes = ModuleAnalysis["httpRoutes"];

export function checkHttpMounts(
  state: Pick<ComponentsState, "app" | "definitions">,
  appModules: readonly ModuleAnalysis[],
): void {
  const routesOf = (modules: readonly ModuleAnalysis[]): Routes =>
    modules.find((m) => m.path === "http.js")?.httpRoutes ?? null;
  const check = (meta: DefinitionMetadata, label: string, routes: Routes) => {
    for (const [mount, reference] of Object.entries(meta.httpMounts)) {
      const invalid = (why: string) =>
        badRequest("InvalidComponentConfig", `HTTP mount ${JSON.stringify(mount)} in ${label} is invalid: ${why}`);
      if (!mount.startsWith("/") || !mount.endsWith("/")) throw invalid('it must start and end with "/".');
      const name = reference.startsWith(CHILD_REFERENCE) ? reference.slice(CHILD_REFERENCE.length) : reference;
      const child = meta.childComponents.find((c) => c.name === name);
      const def = child ? state.definitions[child.path] : undefined;
      if (!def) throw invalid(`child component ${JSON.stringify(name)} not found.`);
      if ((routesOf(def.analysis.modules)?.length ?? 0) === 0 && Object.keys(def.metadata.httpMounts).length === 0)
        throw invalid(`child component ${JSON.stringify(name)} doesn't have any HTTP routes.`);
      // A bare `*` is `/*` (Convex keeps it for backwards compatibility).
      if (routes?.some((r) => r.path.endsWith("*") && (r.path.slice(0, -1) || "/") === mount))
        throw invalid("it overlaps a prefix route of the same path.");
    }
  };
  check(state.app, "the app", routesOf(appModules));
  for (const def of Object.values(state.definitions))
    check(def.metadata, `component ${def.definitionPath}`, routesOf(def.analysis.modules));
}
