/**
 * Operating `tandem serve` (docs/operations.md): both services answer `/ready`, metrics need the
 * admin key, `tandem backup` runs beside the live server, SIGTERM drains and exits 0, and
 * `tandem restore` refuses to overwrite.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/program.js";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

test("tandem serve: /ready on both services, /metrics with the admin key, backup while serving, SIGTERM exits 0, restore", async () => {
  const root = await mkdtemp(join(tmpdir(), "tandem-serve-ops-"));
  const data = join(root, "data");
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
  const lines: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  try {
    const deadline = Date.now() + 30_000;
    while (!/Publishable key/.test(output)) {
      if (Date.now() > deadline) throw new Error(`serve did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const api = /Backend API \+ sync\s+(\S+)/.exec(output)![1]!;
    const identity = /Identity \(issuer\)\s+(\S+)/.exec(output)![1]!;
    for (const origin of [api, identity]) {
      const ready = await fetch(`${origin}/ready`);
      assert.equal(ready.status, 200, origin);
      assert.equal(await ready.text(), "ready");
      assert.equal((await fetch(`${origin}/health`)).status, 200);
    }
    const adminKey = readFileSync(join(data, "backend", "admin_key"), "utf8").trim();
    assert.equal((await fetch(`${api}/metrics`)).status, 401);
    const metrics = await fetch(`${api}/metrics`, { headers: { Authorization: `Bearer ${adminKey}` } });
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /^tandem_sync_connections 0$/m);

    const file = join(root, "serve.tandem-backup");
    assert.equal(await runCli(["backup", "--data", data, "--out", file], io), 0, lines.join("\n"));
    assert.match(lines.join("\n"), /Backed up \d+ files .* \(format 1\)/);
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, output);

  const restored = join(root, "restored");
  assert.equal(
    await runCli(["restore", "--from", join(root, "serve.tandem-backup"), "--data", restored], io),
    0,
    lines.join("\n"),
  );
  assert.equal(
    readFileSync(join(restored, "backend", "admin_key"), "utf8"),
    readFileSync(join(data, "backend", "admin_key"), "utf8"),
  );
  lines.length = 0;
  assert.equal(await runCli(["restore", "--from", join(root, "serve.tandem-backup"), "--data", restored], io), 1);
  assert.match(lines.join("\n"), /error: .* is not empty/);
  lines.length = 0;
  assert.equal(await runCli(["backup", "--data", join(root, "nothing-here"), "--out", join(root, "x")], io), 1);
  assert.match(lines.join("\n"), /error: .* is not a folder/);
  await rm(root, { recursive: true, force: true });
});
