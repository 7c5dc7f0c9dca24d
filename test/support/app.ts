/**
 * A public app's `convex/` folder (vendored or written under test/fixtures/) copied to a temp
 * folder with the repo's npm packages linked into its `node_modules`, then pushed unmodified by its
 * own official `convex` CLI, as a new user would (`npx convex dev --once`).
 */
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./backend.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");

export interface AppCopy {
  readonly dir: string;
  remove(): Promise<void>;
}

/**
 * `test/fixtures/<name>` in a temp folder, with `convex` and `packages` linked from the repo. A
 * package is its name, or `[name, repoName]` when the repo holds that version under an alias
 * (two major versions of one package side by side).
 */
export async function copyApp(
  name: string,
  packages: readonly (string | readonly [name: string, repoName: string])[] = [],
): Promise<AppCopy> {
  const root = await mkdtemp(join(tmpdir(), `tandem-app-${name}-`));
  const dir = join(root, name);
  await cp(join(here, "..", "fixtures", name), dir, { recursive: true });
  for (const pkg of ["convex", ...packages]) {
    const [as, from] = typeof pkg === "string" ? [pkg, pkg] : pkg;
    const target = join(dir, "node_modules", as);
    await mkdir(dirname(target), { recursive: true });
    await symlink(join(repoRoot, "node_modules", from), target, "dir");
  }
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}

/** `convex dev --once` against the deployment; throws with the CLI's output unless it exits 0. */
export async function pushApp(dir: string, deployment: { url: string; adminKey: string }): Promise<string> {
  const r = await run(dir, ["dev", "--once", "--typecheck", "disable"], {
    CONVEX_SELF_HOSTED_URL: deployment.url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: deployment.adminKey,
  });
  if (r.code !== 0) throw new Error(`convex dev --once exited ${r.code}:\n${r.output}`);
  return r.output;
}
