/**
 * `npm run demo` (examples/chat/scripts/demo.mjs) on a private copy of the chat app and free
 * ports, as a user starts it; resolves once it prints the page URL, and stops it (and everything
 * it started) with Ctrl-C.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const exampleDir = join(repoDir, "examples/chat");
const READY_TIMEOUT_MS = 60_000;

export interface RunningDemo {
  pageUrl: string;
  backendUrl: string;
  identityUrl: string;
  /** `TANDEM_SECRET_KEY` from the app's .env.local (Backend API calls). */
  secretKey: string;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  await new Promise<void>((done) => server.close(() => done()));
  return address.port;
}

/** A private copy of the app, so a run never touches examples/chat/.tandem or its .env.local. */
export async function copyApp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tandem-e2e-chat-"));
  for (const part of ["convex", "web", "package.json"]) {
    await cp(join(exampleDir, part), join(dir, part), {
      recursive: true,
      filter: (src) => !src.includes("_generated"),
    });
  }
  // The app's `npx convex` and its bundle must find the repo's packages.
  await symlink(join(repoDir, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

export async function startDemo(extraArgs: string[] = []): Promise<RunningDemo> {
  const appDir = await copyApp();
  const [webPort, port, sitePort, identityPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  let output = "";
  const demo = spawn(
    process.execPath,
    [
      join(exampleDir, "scripts/demo.mjs"),
      "--app",
      appDir,
      "--web-port",
      String(webPort),
      "--timeout",
      String(READY_TIMEOUT_MS / 1000),
      "--port",
      String(port),
      "--site-port",
      String(sitePort),
      "--identity-port",
      String(identityPort),
      "--dashboard-port",
      "0",
      ...extraArgs,
    ],
    // Its own process group, so nothing it started can outlive the test.
    { cwd: repoDir, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  demo.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));

  const stop = async (): Promise<void> => {
    if (demo.exitCode === null && demo.signalCode === null) {
      demo.kill("SIGINT");
      await exited(demo, 15_000);
    }
    if (groupAlive(demo.pid!)) process.kill(-demo.pid!, "SIGKILL");
    demo.stdout.destroy();
    demo.stderr.destroy();
    await rm(appDir, { recursive: true, force: true });
  };

  try {
    const pageUrl = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`the demo did not start within ${READY_TIMEOUT_MS + 15_000} ms\n${output}`)),
        READY_TIMEOUT_MS + 15_000,
      );
      const check = (): void => {
        const match = /\[demo\] chat is running at (http:\/\/\S+)/.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        demo.stdout.off("data", check);
        done(match[1]!);
      };
      demo.stdout.on("data", check);
      demo.once("exit", (code, signal) => fail(new Error(`the demo exited (${signal ?? code})\n${output}`)));
    });
    const line = (label: string): string => {
      const match = new RegExp(`\\[demo\\] ${label} (http://\\S+)`).exec(output);
      assert.ok(match !== null, `the demo prints its ${label} URL\n${output}`);
      return match[1]!;
    };
    const env = await readFile(join(appDir, ".env.local"), "utf8");
    const secretKey = /^TANDEM_SECRET_KEY=["']?([^"'\s]+)/m.exec(env)?.[1];
    assert.ok(secretKey, ".env.local holds TANDEM_SECRET_KEY");
    assert.equal(pageUrl, `http://127.0.0.1:${webPort}`);
    return {
      pageUrl,
      backendUrl: line("backend"),
      identityUrl: line("identity"),
      secretKey,
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
