/**
 * `tandem serve` as a process of its own for the load and idle soaks: the built CLI
 * (packages/cli/dist, as an operator runs it) on a fresh data folder, the `soak` fixture app pushed
 * by the official `convex` CLI, and the server's resident memory read from /proc. The server may
 * open as many files as the hard limit allows (`ulimit -n` is raised to it before exec), so
 * thousands of sockets fit.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..");
const ADMIN_KEY = "soak:admin-key";

export interface Served {
  pid: number;
  /** Backend API + sync. */
  api: string;
  /** Identity service (issuer, Frontend and Backend APIs). */
  identity: string;
  adminKey: string;
  /** The production identity instance's secret key (for the Backend API). */
  secretKey: string;
  /** The server's resident memory now, in bytes. */
  rss(): number;
  output(): string;
  stop(): Promise<void>;
}

/** Resident memory of a process (VmRSS), in bytes. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

function runConvex(dir: string, args: string[], env: Record<string, string>): Promise<string> {
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
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`convex ${args.join(" ")} exited ${code}:\n${output}`));
    });
  });
}

/** `nodeArgs` go to the server's node (e.g. `--trace-gc` or `--heapsnapshot-signal=SIGUSR2` to look into its memory). */
export async function serveSoakApp(opts: { nodeArgs?: string[] } = {}): Promise<Served> {
  const bin = join(repoRoot, "packages/cli/dist/bin.js");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  const root = await mkdtemp(join(tmpdir(), "tandem-soak-"));
  const app = join(root, "app");
  const data = join(root, "data");
  await cp(join(repoRoot, "test/fixtures/soak"), app, { recursive: true });
  await mkdir(join(app, "node_modules"), { recursive: true });
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");

  const args = [...(opts.nodeArgs ?? []), bin, "serve", "--data", data, "--admin-key", ADMIN_KEY];
  for (const p of ["--port", "--site-port", "--identity-port", "--dashboard-port"]) args.push(p, "0");
  const child: ChildProcess = spawn(
    "sh",
    ["-c", 'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', process.execPath, ...args],
    { cwd: repoRoot, env: { ...process.env, TANDEM_LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise((r) => child.once("exit", r));
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(root, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    let api: string | undefined;
    let identity: string | undefined;
    for (;;) {
      api = /Backend API \+ sync\s+(\S+)/.exec(output)?.[1];
      identity = /Identity \(issuer\)\s+(\S+)/.exec(output)?.[1];
      if (api && identity && /Publishable key/.test(output)) break;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await runConvex(app, ["dev", "--once", "--typecheck", "disable"], {
      CONVEX_SELF_HOSTED_URL: api,
      CONVEX_SELF_HOSTED_ADMIN_KEY: ADMIN_KEY,
    });
    const db = new Database(join(data, "identity", "identity.sqlite"), { readonly: true, fileMustExist: true });
    const row = db.prepare("SELECT secret_key FROM instances WHERE kind = 'production'").get() as
      { secret_key: string } | undefined;
    db.close();
    if (!row) throw new Error("no production identity instance");
    const pid = child.pid!;
    return {
      pid,
      api,
      identity,
      adminKey: ADMIN_KEY,
      secretKey: row.secret_key,
      rss: () => rssOf(pid),
      output: () => output,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
