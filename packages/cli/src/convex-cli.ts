/**
 * Running the app's own official `convex` CLI against our backend (docs/architecture.md#composition): the self-hosted
 * URL and admin key in its environment, cloud selectors removed, and `CI=1` so it never tries
 * to report crashes to a third party (offline by default).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The `convex` CLI entry the app depends on (its `node_modules`, or any ancestor's). */
export function findConvexCli(appDir: string): string | null {
  try {
    const require = createRequire(join(appDir, "package.json"));
    const pkg = require.resolve("convex/package.json");
    const bin = join(dirname(pkg), "bin", "main.js");
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

export function convexCliEnv(
  deployment: { url: string; adminKey: string },
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    CONVEX_SELF_HOSTED_URL: deployment.url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: deployment.adminKey,
    CI: base.CI ?? "1",
  };
  delete env.CONVEX_DEPLOYMENT;
  delete env.CONVEX_DEPLOY_KEY;
  return env;
}

export function spawnConvex(
  bin: string,
  args: readonly string[],
  options: { cwd: string; deployment: { url: string; adminKey: string } },
): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: convexCliEnv(options.deployment),
    stdio: "inherit",
  });
}

/** Resolves with the child's exit code (a signal counts as 1). */
export function exitCodeOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
