/**
 * Runs a `convex.config.js` as the CLI bundled it and returns its `export()`. The bundle imports
 * each component it installs as `./_componentDeps/<base64url of the definition path>`; here
 * those modules are stand-ins carrying the path and the component's own name, which is all
 * `app.use()` reads from them (`npm:server/components/index.ts use`).
 */
import type { ModuleSource } from "../engine/deployment.js";
import { ModuleGraph } from "../runtime/module-loader.js";
import { Realm } from "../runtime/realm.js";
import { badRequest } from "../errors.js";

export function componentDepsModule(definitionPath: string, defaultName: string): ModuleSource {
  return {
    path: `_componentDeps/${Buffer.from(definitionPath).toString("base64url")}`,
    source: `export default ${JSON.stringify({ componentDefinitionPath: definitionPath, defaultName })};`,
    environment: "isolate",
  };
}

/** The config's `export()` JSON, or a push error naming the definition. */
export function evaluateConfig(
  config: ModuleSource,
  deps: readonly ModuleSource[],
  label: string,
): Record<string, unknown> {
  const realm = new Realm("udf");
  const graph = new ModuleGraph(realm, [{ ...config, path: "convex.config.js" }, ...deps]);
  let exported: unknown;
  try {
    const def = graph.require("convex.config.js").default as { export?: () => unknown } | undefined;
    if (!def || typeof def.export !== "function")
      throw new Error("its default export is not the result of defineApp() or defineComponent()");
    exported = def.export();
  } catch (e) {
    // Errors thrown inside the realm are not this realm's `Error`s.
    const message =
      typeof (e as { message?: unknown } | null)?.message === "string" ? (e as { message: string }).message : String(e);
    throw badRequest("InvalidComponentConfig", `Failed to evaluate convex.config.js of ${label}: ${message}`);
  }
  if (exported === null || typeof exported !== "object" || Array.isArray(exported))
    throw badRequest("InvalidComponentConfig", `convex.config.js of ${label}: export() did not return an object.`);
  return exported as Record<string, unknown>;
}
