/**
 * `require` for the npm packages a `"use node"` bundle imports instead of bundling them (the CLI
 * does that for `convex.json` `node.externalPackages`). They load from the packages folder with
 * Node's own resolution, outside the realm, as Convex's Node runtime loads them; a package the
 * push did not declare is refused.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type { NodePackages } from "../engine/deployment.js";

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

export function externalPackageRequire(packages: NodePackages): (spec: string) => unknown {
  const declared = new Set(packages.dependencies.map((d) => d.name));
  const load = createRequire(join(packages.dir, "package.json"));
  return (spec) => {
    const name = packageNameOf(spec);
    if (!declared.has(name))
      throw new Error(
        `Cannot import '${spec}': '${name}' is neither bundled nor among this push's external packages (convex.json \`node.externalPackages\`)`,
      );
    return load(spec);
  };
}
