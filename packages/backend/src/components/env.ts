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
  // A mounted instance's site URL is where its routes are: `<site>/oauth/github` (Convex Auth 2
  // builds its OAuth callback URL from it).
  const prefix = httpPrefix(state, path);
  if (prefix !== null && system.CONVEX_SITE_URL !== undefined)
    system.CONVEX_SITE_URL = `${system.CONVEX_SITE_URL.replace(/\/$/, "")}${prefix.replace(/\/$/, "")}`;
  return { ...bound(state, path, deploymentEnv), ...system };
}

/**
 * The path an instance's HTTP routes are mounted at (`/oauth/github/`), or null when its parent
 * does not mount it. Below the app a mount is relative to the parent's own prefix.
 */
export function httpPrefix(state: ComponentsState | undefined, path: string): string | null {
  if (!state || path === "") return null;
  let prefix: string | null = null;
  let parentPath = "";
  for (const name of path.split("/")) {
    const parent = state.instances[parentPath];
    const meta =
      parentPath === "" ? state.app : parent ? state.definitions[parent.definitionPath]?.metadata : undefined;
    const mount = Object.entries(meta?.httpMounts ?? {}).find(
      ([, reference]) => reference === `_reference/childComponent/${name}`,
    )?.[0];
    prefix =
      mount === undefined
        ? null
        : parentPath !== "" && prefix !== null
          ? `${prefix.replace(/\/$/, "")}${mount}`
          : mount;
    parentPath = parentPath === "" ? name : `${parentPath}/${name}`;
  }
  return prefix;
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
