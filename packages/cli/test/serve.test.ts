/** `tandem serve` as an operator runs it: backend + identity up, admin key kept, clean stop on SIGTERM. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../src/program.js";
import { startServe } from "./support/serve-process.js";

test("tandem serve starts both services on the data folder and stops on SIGTERM", async () => {
  const data = await mkdtemp(join(tmpdir(), "tandem-serve-"));
  const server = startServe(["--data", data]);
  try {
    const { api, identity: issuer, dashboard } = await server.ready;
    const output = server.output();
    assert.match(await (await fetch(`${api}/version`)).text(), /^tandem-/);
    const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(discovery.issuer, issuer);
    assert.ok(existsSync(join(data, "backend", "admin_key")), "admin key kept in the data folder");
    assert.match(output, /Publishable key\s+pk_live_/);
    // The dashboard: the page for anyone, its API only with the admin key kept in the data folder.
    assert.match(dashboard, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(dashboard)).status, 200);
    assert.equal((await fetch(`${dashboard}/_api/info`)).status, 401);
    const adminKey = readFileSync(join(data, "backend", "admin_key"), "utf8").trim();
    const info = await fetch(`${dashboard}/_api/info`, { headers: { Authorization: `Convex ${adminKey}` } });
    assert.equal(((await info.json()) as { backendUrl: string }).backendUrl, api);
  } finally {
    server.child.kill("SIGTERM");
  }
  assert.equal(await server.exited, 0, server.output());
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
