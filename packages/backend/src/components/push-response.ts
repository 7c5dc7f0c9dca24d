/** The component parts of the `start_push` answer: the checked instance tree and per-instance index diffs. */
import type { IndexConfig, IndexDiff } from "../deploy/index-diff.js";
import { componentTablePrefix, type ComponentsState } from "./types.js";

/** `app.childComponents` (`checkedComponent` of the CLI), recursively. */
export function checkedChildren(state: ComponentsState, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, childPath] of Object.entries(state.instances[path]?.children ?? {})) {
    const inst = state.instances[childPath]!;
    out[name] = {
      definitionPath: inst.definitionPath,
      componentPath: childPath,
      args: {},
      childComponents: checkedChildren(state, childPath),
      httpRoutes: { httpModuleRoutes: null, mounts: [] },
      exports: {},
    };
  }
  return out;
}

/** The store-wide index diff, split by instance with each table under the name its code uses. */
export function splitIndexDiff(diff: IndexDiff, state: ComponentsState | undefined): Record<string, IndexDiff> {
  const out: Record<string, IndexDiff> = { "": { added_indexes: [], removed_indexes: [] } };
  const owners = Object.keys(state?.instances ?? {})
    .filter((p) => p !== "")
    .map((p) => ({ path: p, prefix: componentTablePrefix(p) }));
  const place = (i: IndexConfig, key: "added_indexes" | "removed_indexes") => {
    const owner = owners.find((o) => i.name.startsWith(o.prefix));
    const path = owner?.path ?? "";
    const entry = (out[path] ??= { added_indexes: [], removed_indexes: [] });
    entry[key].push(owner ? { ...i, name: i.name.slice(owner.prefix.length) } : i);
  };
  for (const i of diff.added_indexes) place(i, "added_indexes");
  for (const i of diff.removed_indexes) place(i, "removed_indexes");
  return out;
}
