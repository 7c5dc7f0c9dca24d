/**
 * The component boundary (issue 18): an app function that calls a component's function
 * (`ctx.runMutation(components.counter.public.add, …)`, `@convex-dev/sharded-counter` from npm)
 * against the same function written in the app itself, same table shape and index, on the same
 * server in alternating rounds. Goal: the boundary costs at most 20 % (ratio ≥ 0.8).
 * Knobs: COMPONENTS_BENCH_SECONDS=6 (per function and row), COMPONENTS_BENCH_ROUNDS=6,
 * COMPONENTS_BENCH_CONCURRENCY=16.
 */
import { mkdtemp, mkdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import type { BenchRow } from "./report.js";

const SECONDS = Number(process.env.COMPONENTS_BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.COMPONENTS_BENCH_ROUNDS ?? 6);
const CONCURRENCY = Number(process.env.COMPONENTS_BENCH_CONCURRENCY ?? 16);
const ADMIN_KEY = "bench|components-admin-key";
const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");

const APP = {
  "convex/convex.config.ts": `import { defineApp } from "convex/server";
import counter from "@convex-dev/sharded-counter/convex.config";
const app = defineApp();
app.use(counter, { name: "counter" });
export default app;`,
  // The component's own table and index (sharded-counter's schema), in the app.
  "convex/schema.ts": `import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
export default defineSchema({ counters: defineTable({ name: v.string(), value: v.number(), shard: v.number() }).index("name", ["name", "shard"]) });`,
  // The component's add/count, written in the app.
  "convex/local.ts": `import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const add = mutation({
  args: { name: v.string(), count: v.number(), shard: v.number() },
  returns: v.number(),
  handler: async (ctx, { name, count, shard }) => {
    const c = await ctx.db.query("counters").withIndex("name", (q) => q.eq("name", name).eq("shard", shard)).unique();
    if (c) await ctx.db.patch(c._id, { value: c.value + count });
    else await ctx.db.insert("counters", { name, value: count, shard });
    return shard;
  },
});
export const count = query({
  args: { name: v.string() },
  returns: v.number(),
  handler: async (ctx, { name }) =>
    (await ctx.db.query("counters").withIndex("name", (q) => q.eq("name", name)).collect()).reduce((s, c) => s + c.value, 0),
});`,
  "convex/via.ts": `import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
import { components } from "./_generated/api";
export const add = mutation({
  args: { name: v.string(), count: v.number(), shard: v.number() },
  handler: async (ctx, args) => ctx.runMutation(components.counter.public.add, args),
});
export const count = query({
  args: { name: v.string() },
  handler: async (ctx, args) => ctx.runQuery(components.counter.public.count, args),
});`,
  "package.json": `{"name":"bench-components-app","private":true,"type":"module","dependencies":{"convex":"1.48.0","@convex-dev/sharded-counter":"0.2.1"}}`,
};

async function pushApp(url: string): Promise<void> {
  const dir = join(await mkdtemp(join(tmpdir(), "tandem-bench-components-")), "app");
  await mkdir(join(dir, "convex"), { recursive: true });
  await mkdir(join(dir, "node_modules", "@convex-dev"), { recursive: true });
  await symlink(join(repoRoot, "node_modules", "convex"), join(dir, "node_modules", "convex"), "dir");
  await symlink(
    join(repoRoot, "node_modules", "@convex-dev", "sharded-counter"),
    join(dir, "node_modules", "@convex-dev", "sharded-counter"),
    "dir",
  );
  for (const [p, text] of Object.entries(APP)) await writeFile(join(dir, p), text);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONVEX_SELF_HOSTED_URL: url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: ADMIN_KEY,
    CI: "1",
  };
  delete env.CONVEX_DEPLOYMENT;
  // Not spawnSync: the server runs in this process and must answer the CLI meanwhile.
  const child = spawn(
    process.execPath,
    [join(dir, "node_modules/convex/bin/main.js"), "dev", "--once", "--typecheck", "disable"],
    { cwd: dir, env },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`push failed:\n${output}`);
}

async function callsPerSecond(
  url: string,
  kind: "mutation" | "query",
  path: string,
  args: (i: number) => object,
  seconds: number,
): Promise<number> {
  let next = 0;
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const i = next++;
      const res = await fetch(`${url}/api/${kind}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Convex-Client": "npm-1.48.0" },
        body: JSON.stringify({ path, args: [args(i)], format: "json" }),
      });
      const body = (await res.json()) as { status: string; errorMessage?: string };
      if (body.status !== "success") throw new Error(`${path}: ${body.errorMessage}`);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return done / ((performance.now() - start) / 1000);
}

/** Both functions in alternating rounds, so both see the same machine speed. */
async function pair(url: string, kind: "mutation" | "query", local: string, via: string, args: (i: number) => object) {
  await callsPerSecond(url, kind, local, args, 0.5);
  await callsPerSecond(url, kind, via, args, 0.5);
  let l = 0;
  let v = 0;
  for (let r = 0; r < ROUNDS; r++) {
    l += await callsPerSecond(url, kind, local, args, SECONDS / ROUNDS);
    v += await callsPerSecond(url, kind, via, args, SECONDS / ROUNDS);
  }
  return { local: l / ROUNDS, via: v / ROUNDS };
}

export default async function run(): Promise<BenchRow[]> {
  const { startBackend } = await import("@tandem/backend");
  const { silentLogger } = await import("@tandem/shared");
  const backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-bench-components-data-")),
    port: 0,
    sitePort: 0,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
  });
  try {
    await pushApp(backend.url);
    const addArgs = (i: number) => ({ name: `k${i % 64}`, count: 1, shard: i % 16 });
    const m = await pair(backend.url, "mutation", "local:add", "via:add", addArgs);
    const q = await pair(backend.url, "query", "local:count", "via:count", (i) => ({ name: `k${i % 64}` }));
    return [
      {
        name: `component mutation through the app (sharded-counter add, ${CONCURRENCY} in flight)`,
        value: m.via,
        unit: "calls/s",
        ceiling: { name: "the same mutation written in the app", value: m.local },
        target: "≥ 0.8",
      },
      {
        name: `component query through the app (sharded-counter count over 16 shards, ${CONCURRENCY} in flight)`,
        value: q.via,
        unit: "calls/s",
        ceiling: { name: "the same query written in the app", value: q.local },
        target: "≥ 0.8",
      },
    ];
  } finally {
    await backend.close();
  }
}
