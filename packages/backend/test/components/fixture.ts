/** A copy of a fixture app that installs components from npm: `@convex-dev/*` linked from the repo. */
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { copyFixture, repoRoot } from "../server/fixture.js";

/**
 * `from` is the `node_modules` holding the packages: the repo's by default, or a workspace's own
 * when a component needs versions the repo root cannot hold (a peer range apart from the root's).
 */
export async function copyComponentFixture(
  name: string,
  packages: readonly string[],
  from = join(repoRoot, "node_modules"),
): Promise<string> {
  const app = await copyFixture(name);
  await mkdir(join(app, "node_modules", "@convex-dev"), { recursive: true });
  for (const p of packages)
    await symlink(join(from, "@convex-dev", p), join(app, "node_modules", "@convex-dev", p), "dir");
  // For pushes that typecheck the app against the generated `components.*` types.
  await symlink(join(repoRoot, "node_modules", "typescript"), join(app, "node_modules", "typescript"), "dir");
  return app;
}
