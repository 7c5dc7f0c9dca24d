/**
 * Test helpers: copy a fixture app to a temp folder (so `_generated/` and `.env.local` never land
 * in the repo), link the repo's `convex` package into it, and run the official CLI there.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..", "..", "..");
export const convexPackage = join(repoRoot, "node_modules", "convex");
export const fixturesDir = join(here, "..", "fixtures", "apps");

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tandem-${prefix}-`));
}

/** A copy of `fixtures/apps/<name>` with `node_modules/convex` linked to the repo's. */
export async function copyFixture(name: string): Promise<string> {
  const dir = join(await tempDir(`app-${name}`), name);
  await cp(join(fixturesDir, name), dir, { recursive: true });
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await symlink(convexPackage, join(dir, "node_modules", "convex"), "dir");
  return dir;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout + stderr, for assertions on messages the CLI prints to either. */
  readonly output: string;
}

/** Runs `node node_modules/convex/bin/main.js <args>` in `dir` against a self-hosted deployment. */
export function runConvex(
  dir: string,
  args: readonly string[],
  deployment: { url: string; adminKey: string },
  options: { stdin?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONVEX_SELF_HOSTED_URL: deployment.url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: deployment.adminKey,
    // CI=1 keeps the CLI offline (no Sentry crash reports) and non-interactive.
    CI: "1",
    NO_COLOR: "1",
    ...options.env,
  };
  delete env.CONVEX_DEPLOYMENT;
  delete env.CONVEX_DEPLOY_KEY;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, "node_modules", "convex", "bin", "main.js"), ...args], {
      cwd: dir,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output: stdout + stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** `convex dev --once` and fail loudly with the CLI's output when it does not exit 0. */
export async function pushOnce(dir: string, deployment: { url: string; adminKey: string }): Promise<CliResult> {
  const r = await runConvex(dir, ["dev", "--once", "--typecheck", "disable"], deployment);
  if (r.code !== 0) throw new Error(`convex dev --once exited ${r.code}:\n${r.output}`);
  return r;
}
