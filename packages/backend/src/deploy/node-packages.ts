/**
 * The `nodeDependencies` of a push (docs/push-api.md#deploy): the npm packages, at their exact versions,
 * that the CLI left external in `"use node"` bundles. Tandem installs nothing from the network:
 * it takes each one from the app's own `node_modules` (the folder the backend was given), and
 * refuses the push with a clear message when a package is missing there or at another version.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { badRequest } from "../errors.js";
import type { NodePackages } from "../engine/deployment.js";

type Dependency = NodePackages["dependencies"][number];

export function parseNodeDependencies(raw: unknown): Dependency[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest("InvalidPush", "`nodeDependencies` must be an array.");
  return raw.map((d: unknown) => {
    const x = d as { name?: unknown; version?: unknown } | null;
    if (!x || typeof x.name !== "string" || typeof x.version !== "string" || !/^(@[\w.-]+\/)?[\w.-]+$/.test(x.name))
      throw badRequest("InvalidPush", "Each `nodeDependencies` entry needs a package `name` and a `version`.");
    return { name: x.name, version: x.version };
  });
}

export function resolveNodePackages(dependencies: readonly Dependency[], dir: string | null): NodePackages | undefined {
  if (dependencies.length === 0) return undefined;
  const names = dependencies.map((d) => `${d.name}@${d.version}`).join(", ");
  if (dir === null)
    throw badRequest(
      "ExternalPackagesUnavailable",
      `This push marks npm packages as external (${names}, from convex.json \`node.externalPackages\`), but this backend was started without a packages folder to load them from. Start it from the app's folder (\`npx tandem dev\`) or remove them from \`node.externalPackages\` so the CLI bundles them.`,
    );
  for (const d of dependencies) {
    let found: string | null = null;
    try {
      found =
        (JSON.parse(readFileSync(join(dir, "node_modules", d.name, "package.json"), "utf8")) as { version?: string })
          .version ?? null;
    } catch {
      found = null;
    }
    if (found !== d.version)
      throw badRequest(
        "ExternalPackagesUnavailable",
        found === null
          ? `The external package ${d.name}@${d.version} is not installed in ${join(dir, "node_modules")}. Run \`npm install\` in the app.`
          : `The external package ${d.name} is at version ${found} in ${join(dir, "node_modules")}, but the push needs ${d.version}.`,
      );
  }
  return { dir, dependencies };
}
