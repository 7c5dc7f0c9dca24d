/**
 * Operating `tandem serve` (docs/operations.md): both services answer `/ready`, metrics need the
 * admin key, `tandem backup` runs beside the live server, SIGTERM drains and exits 0, and
 * `tandem restore` refuses to overwrite.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../src/program.js";
import { startServe } from "./support/serve-process.js";

test("tandem serve: /ready on both services, /metrics with the admin key, backup while serving, SIGTERM exits 0, restore", async () => {
  const root = await mkdtemp(join(tmpdir(), "tandem-serve-ops-"));
  const data = join(root, "data");
  const server = startServe(["--data", data]);
  const lines: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  try {
    const { api, identity } = await server.ready;
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
    server.child.kill("SIGTERM");
  }
  assert.equal(await server.exited, 0, server.output());

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
