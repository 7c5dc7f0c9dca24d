/**
 * A component instance's `process.env`: only what its parent bound with
 * `use(component, { env: { NAME: "value" | parent.env.NAME } })`. The app's bindings read the
 * deployment's variables; a component's read its own bound ones. Nothing else leaks in but the
 * deployment's own URLs (`CONVEX_CLOUD_URL`, `CONVEX_SITE_URL`), which Convex sets in every
 * instance: `@convex-dev/auth` 2's core component names its token issuer from the cloud URL.
 */
import { RESERVED } from "../env/environment.js";
import type { ComponentsState } from "./types.js";

type Binding = { type: "value"; value: string } | { type: "envVar"; name: string };

export function instanceEnv(
  state: ComponentsState | undefined,
  path: string,
  deploymentEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  if (path === "") return { ...deploymentEnv };
  const system: Record<string, string> = {};
  for (const name of RESERVED) if (deploymentEnv[name] !== undefined) system[name] = deploymentEnv[name];
  return { ...bound(state, path, deploymentEnv), ...system };
}

function bound(
  state: ComponentsState | undefined,
  path: string,
  deploymentEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  if (!state) return {};
  const slash = path.lastIndexOf("/");
  const parentPath = slash < 0 ? "" : path.slice(0, slash);
  const name = path.slice(slash + 1);
  const parent = state.instances[parentPath];
  const parentMeta =
    parentPath === "" ? state.app : parent ? state.definitions[parent.definitionPath]?.metadata : undefined;
  const child = parentMeta?.childComponents.find((c) => c.name === name);
  if (!Array.isArray(child?.env)) return {};
  const parentEnv = instanceEnv(state, parentPath, deploymentEnv);
  const out: Record<string, string> = {};
  for (const entry of child.env as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== "string") continue;
    const b = entry[1] as Binding | null;
    if (b?.type === "value" && typeof b.value === "string") out[entry[0]] = b.value;
    else if (b?.type === "envVar" && typeof b.name === "string" && parentEnv[b.name] !== undefined)
      out[entry[0]] = parentEnv[b.name]!;
  }
  return out;
}
