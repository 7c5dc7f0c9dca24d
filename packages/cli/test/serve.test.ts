/** `tandem serve` as an operator runs it: backend + identity up, admin key kept, clean stop on SIGTERM. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/program.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("tandem serve starts both services on the data folder and stops on SIGTERM", async () => {
  const data = await mkdtemp(join(tmpdir(), "tandem-serve-"));
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(repoRoot, "packages/cli/src/bin.ts"),
      "serve",
      "--data",
      data,
      "--port",
      "0",
      "--site-port",
      "0",
      "--identity-port",
      "0",
      "--dashboard-port",
      "0",
    ],
    { cwd: repoRoot, env: { ...process.env, TANDEM_LOG_LEVEL: "warn" }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 30_000;
    while (!/Publishable key/.test(output)) {
      if (Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const api = /Backend API \+ sync\s+(\S+)/.exec(output)![1]!;
    const issuer = /Identity \(issuer\)\s+(\S+)/.exec(output)![1]!;
    assert.match(await (await fetch(`${api}/version`)).text(), /^tandem-/);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, issuer);
    assert.ok(existsSync(join(data, "backend", "admin_key")), "admin key kept in the data folder");
    assert.match(output, /Publishable key\s+pk_live_/);
    // The dashboard: the page for anyone, its API only with the admin key kept in the data folder.
    const dashboard = /Dashboard\s+(\S+)/.exec(output)![1]!;
    assert.match(dashboard, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(dashboard)).status, 200);
    assert.equal((await fetch(`${dashboard}/_api/info`)).status, 401);
    const adminKey = readFileSync(join(data, "backend", "admin_key"), "utf8").trim();
    const info = await fetch(`${dashboard}/_api/info`, { headers: { Authorization: `Convex ${adminKey}` } });
    assert.equal(((await info.json()) as { backendUrl: string }).backendUrl, api);
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, output);
});

test("tandem serve --db refuses what this build cannot open, with a clear message", async () => {
  const lines: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  const data = await mkdtemp(join(tmpdir(), "tandem-serve-db-"));
  assert.equal(await runCli(["serve", "--data", data, "--db", "mysql://x"], io), 1);
  assert.match(lines.join("\n"), /--db must be a postgres:\/\/ URL/);
  assert.equal(await runCli(["serve", "--port", "nope"], io), 1);
  assert.match(lines.join("\n"), /must be a port number/);
});
