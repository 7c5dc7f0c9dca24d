/**
 * The guide's backend as `tandem dev --https --public-host 10.0.2.2` runs it (services.ts with
 * TLS fronts and the local CA), with the guide-shaped app of docs/android-guide/convex pushed by
 * the official convex CLI over loopback, and both services on one controllable clock.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ManualClock } from "@tandem/backend";
import { silentLogger } from "@tandem/shared";
import { startServices, type Services } from "../../src/services.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..", "..");

export interface GuideStack {
  services: Services;
  clock: ManualClock;
  /** PEM of the local CA: what the device trusts. */
  ca: string;
  /** A Backend API call with the secret key (server side, over loopback). */
  bapi(method: string, path: string, body?: Record<string, unknown>): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

function pushOnce(app: string, url: string, adminKey: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CI: "1",
      NO_COLOR: "1",
      CONVEX_SELF_HOSTED_URL: url,
      CONVEX_SELF_HOSTED_ADMIN_KEY: adminKey,
    };
    delete env.CONVEX_DEPLOYMENT;
    const child = spawn(
      process.execPath,
      [join(app, "node_modules", "convex", "bin", "main.js"), "dev", "--once", "--typecheck", "disable"],
      {
        cwd: app,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d));
    child.stderr.on("data", (d: Buffer) => (output += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(output) : reject(new Error(`convex dev --once exited ${code}:\n${output}`)),
    );
  });
}

export async function startGuideStack(): Promise<GuideStack> {
  const root = await mkdtemp(join(tmpdir(), "tandem-android-"));
  const app = join(root, "app");
  await cp(join(repoRoot, "docs", "android-guide", "convex"), join(app, "convex"), { recursive: true });
  await mkdir(join(app, "node_modules"));
  await writeFile(
    join(app, "package.json"),
    JSON.stringify({ name: "android-guide-backend", private: true, dependencies: { convex: "*" } }),
  );
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  const clock = new ManualClock();
  const dataDir = join(root, ".tandem");
  const services = await startServices({
    dataDir,
    host: "127.0.0.1",
    port: 0,
    sitePort: 0,
    identityPort: 0,
    dashboardPort: 0,
    instance: "development",
    logger: silentLogger,
    adminKey: "test-admin:key",
    https: { publicHost: "10.0.2.2", tlsDir: join(dataDir, "tls") },
    clock,
  });
  try {
    await pushOnce(app, services.backend.url, services.backend.adminKey);
  } catch (e) {
    await services.close();
    throw e;
  }
  return {
    services,
    clock,
    ca: await readFile(services.caCertPath!, "utf8"),
    async bapi(method, path, body) {
      const res = await fetch(`${services.identity.url}/backend/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${services.identity.secretKey}`, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await services.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
