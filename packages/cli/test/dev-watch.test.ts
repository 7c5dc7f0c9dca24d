/**
 * `tandem dev` in watch mode, as a user runs it (a separate process): the first push, a re-push
 * when a function changes, and a clean stop (exit 0) on SIGTERM.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readEnvFile } from "../src/deployment.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..", "..");

test("tandem dev watches: pushes, re-pushes on change, drains and exits 0 on SIGTERM", async () => {
  const app = join(await mkdtemp(join(tmpdir(), "tandem-watch-")), "app");
  await cp(join(here, "fixtures", "app"), app, { recursive: true });
  await mkdir(join(app, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "packages/cli/src/bin.ts"),
      "dev",
      "--dir",
      app,
      "--port",
      "0",
      "--site-port",
      "0",
      "--identity-port",
      "0",
      "--dashboard-port",
      "0",
      "--typecheck",
      "disable",
    ],
    { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const waiters: Array<() => void> = [];
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitFor = async (count: number, what: RegExp) => {
    const deadline = Date.now() + 45_000;
    while ((output.match(new RegExp(what.source, "g")) ?? []).length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 500);
      });
    }
  };
  try {
    await waitFor(1, /Convex functions ready!/);
    const url = readEnvFile(join(app, ".env.local")).CONVEX_SELF_HOSTED_URL!;
    const call = async () =>
      (await (
        await fetch(`${url}/api/query`, {
          method: "POST",
          body: JSON.stringify({ path: "notes:list", args: {}, format: "json" }),
        })
      ).json()) as {
        status: string;
        value?: unknown;
      };
    assert.deepEqual(await call(), { status: "success", value: [] });
    const notes = join(app, "convex", "notes.ts");
    await writeFile(
      notes,
      (await readFile(notes, "utf8")).replace("(n) => n.text", '(n) => n.text + "!"') +
        '\nexport const hello = query({ args: {}, handler: async () => "hello" });\n',
    );
    await waitFor(2, /Convex functions ready!/);
    const hello = (await (
      await fetch(`${url}/api/query`, {
        method: "POST",
        body: JSON.stringify({ path: "notes:hello", args: {}, format: "json" }),
      })
    ).json()) as { value: string };
    assert.equal(hello.value, "hello");
  } finally {
    child.kill("SIGTERM");
  }
  const code = await exited;
  assert.equal(code, 0, `exited 0 by itself after SIGTERM, not killed:\n${output}`);
});
