/**
 * What a deployment's version covers of its components: a push that only upgrades a component
 * from npm, or renames an instance, is new code too (queries re-run, schema checks reload).
 */
import type { ModuleSource } from "../engine/deployment.js";
import type { ComponentsState } from "./types.js";

export function versionedComponentModules(state: ComponentsState | undefined): ModuleSource[] {
  if (!state) return [];
  const out: ModuleSource[] = [
    {
      path: "_components/instances.json",
      source: JSON.stringify([state.app, state.instances]),
      environment: "isolate",
    },
  ];
  for (const d of Object.values(state.definitions)) {
    for (const m of d.modules) out.push({ ...m, path: `_components/${d.definitionPath}/${m.path}` });
  }
  return out;
}
