/**
 * Durability as issue 2 asks: `kill -9` the server during a stream of acknowledged mutations;
 * after a restart every acknowledged write is there and new timestamps are larger than every
 * earlier one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../src/program.js";
import { repoRoot, startServe } from "./support/serve-process.js";

const here = dirname(fileURLToPath(import.meta.url));

async function call(api: string, kind: "query" | "mutation", path: string, args: unknown): Promise<unknown> {
  const res = await fetch(`${api}/api/${kind}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path, args, format: "json" }),
  });
  const body = (await res.json()) as { status: string; value?: unknown; errorMessage?: string };
  if (body.status !== "success") throw new Error(body.errorMessage ?? JSON.stringify(body));
  return body.value;
}

const queryTs = async (api: string) =>
  Buffer.from(
    ((await (await fetch(`${api}/api/query_ts`, { method: "POST" })).json()) as { ts: string }).ts,
    "base64",
  ).readBigUInt64LE();

test("kill -9 during a stream of acknowledged mutations loses none, and time keeps moving forward", async () => {
  const app = join(await mkdtemp(join(tmpdir(), "tandem-durable-")), "app");
  await cp(join(here, "fixtures", "app"), app, { recursive: true });
  await mkdir(join(app, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(app, "node_modules", "convex"), "dir");
  const lines: string[] = [];
  const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) };
  const pushed = await runCli(
    [
      "dev",
      "--dir",
      app,
      "--once",
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
    io,
  );
  assert.equal(pushed, 0, lines.join("\n"));
  const data = join(app, ".tandem");

  const first = startServe(["--data", data]);
  const { api } = await first.ready;
  const acked: string[] = [];
  let lastTs = 0n;
  let stop = false;
  // Eight writers in flight; each write counts only once the server acknowledged it.
  const writers = Array.from({ length: 8 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const text = `w${w}-${i}`;
      try {
        await call(api, "mutation", "notes:add", { text });
        acked.push(text);
        if (acked.length % 25 === 0) lastTs = await queryTs(api);
      } catch {
        return; // the server is gone
      }
    }
  });
  while (acked.length < 300) await new Promise((r) => setTimeout(r, 20));
  first.child.kill("SIGKILL");
  stop = true;
  await Promise.all(writers);
  await first.exited;

  const second = startServe(["--data", data]);
  try {
    const { api: api2 } = await second.ready;
    const texts = new Set((await call(api2, "query", "notes:list", {})) as string[]);
    const missing = acked.filter((t) => !texts.has(t));
    assert.deepEqual(missing, [], `${missing.length} acknowledged writes lost`);
    assert.ok(lastTs > 0n);
    await call(api2, "mutation", "notes:add", { text: "after restart" });
    assert.ok((await queryTs(api2)) > lastTs, "timestamps keep increasing across the crash");
  } finally {
    await second.stop();
  }
});
