/** Shared by the SDK tests of identity-js and identity-react.
 *
 * A real Tandem backend with a fixture app pushed by the official `convex` CLI (as
 * packages/backend/test does): the fixture is copied to a temp folder with the repo's `convex`
 * package linked in, so `_generated/` never lands in the repo.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");

export interface TestBackend {
  backend: Backend;
  stop(): Promise<void>;
}

/** The app's own `convex` CLI (`node_modules/convex/bin/main.js ARGS`) in `dir`, output collected. */
export function run(
  dir: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, CI: "1", NO_COLOR: "1", ...env };
    delete childEnv.CONVEX_DEPLOYMENT;
    delete childEnv.CONVEX_DEPLOY_KEY;
    const child = spawn(process.execPath, [join(dir, "node_modules", "convex", "bin", "main.js"), ...args], {
      cwd: dir,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    child.on("close", (code) => (clearTimeout(timer), resolve({ code, output })));
  });
}

/** Shared by the SDK tests of identity-js and identity-react.
 * Starts a backend whose `TANDEM_ISSUER_DOMAIN` is `issuer` and pushes `fixtures/<name>`. */
export async function startBackendWithApp(name: string, issuer: string): Promise<TestBackend> {
  const root = await mkdtemp(join(tmpdir(), "tandem-backend-"));
  const app = join(root, name);
  await cp(join(here, "..", "fixtures", name), app, { recursive: true });
  await mkdir(join(app, "node_modules"), { recursive: true });
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  const backend = await startBackend({
    dataDir: join(root, "data"),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
    adminKey: "test-admin:key",
  });
  try {
    await backend.setEnvironmentVariables({ TANDEM_ISSUER_DOMAIN: issuer });
    const r = await run(app, ["dev", "--once", "--typecheck", "disable"], {
      CONVEX_SELF_HOSTED_URL: backend.url,
      CONVEX_SELF_HOSTED_ADMIN_KEY: backend.adminKey,
    });
    if (r.code !== 0) throw new Error(`convex dev --once exited ${r.code}:\n${r.output}`);
  } catch (e) {
    await backend.close();
    throw e;
  }
  return {
    backend,
    async stop() {
      await backend.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
