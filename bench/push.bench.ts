/**
 * Push benchmark (issue 2): wall time of the official CLI's `convex dev --once --typecheck
 * disable` for a generated 20-module app (20 tables, 20 indexes, 60 functions) against Tandem —
 * first push (everything uploaded, indexes created), a push with nothing changed, and a push with
 * one module changed. The ceiling is the same CLI doing only its local work for the same app
 * (`--debug-bundle-path`: codegen + bundling, then it stops before uploading), so the ratio shows
 * what the push API adds on top of the CLI's own cost. The backend runs in a child process.
 */
import { execFile, fork, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "./report.js";

const MODULES = 20;
const ADMIN_KEY = "bench|push-admin-key";
const repoRoot = join(fileURLToPath(import.meta.url), "..", "..");

async function serverRole(): Promise<void> {
  const { startBackend } = await import("../packages/backend/src/server/index.js");
  const { silentLogger } = await import("@tandem/shared");
  const b = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-bench-push-")),
    port: 0,
    sitePort: 0,
    adminKey: ADMIN_KEY,
    logger: silentLogger,
  });
  process.send!({ url: b.url });
}

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, PUSH_BENCH_ROLE: "server" },
    stdio: "inherit",
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { url: string }) => resolve({ url: m.url, child }));
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const pad = (i: number) => String(i).padStart(2, "0");

function moduleSource(i: number, version: number): string {
  return `import { internalMutation, mutation, query } from "./_generated/server";
import { v } from "convex/values";
export const list = query({ args: { owner: v.string() }, handler: (ctx, { owner }) =>
  ctx.db.query("t${pad(i)}").withIndex("by_owner", (q) => q.eq("owner", owner)).take(${10 + version}) });
export const add = mutation({ args: { owner: v.string(), n: v.number() }, handler: (ctx, a) => ctx.db.insert("t${pad(i)}", a) });
export const wipe = internalMutation({ args: {}, handler: async (ctx) => {
  for (const d of await ctx.db.query("t${pad(i)}").collect()) await ctx.db.delete(d._id);
} });
`;
}

async function writeApp(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "tandem-bench-push-app-")), "app");
  await mkdir(join(dir, "convex"), { recursive: true });
  await mkdir(join(dir, "node_modules"));
  await symlink(join(repoRoot, "node_modules", "convex"), join(dir, "node_modules", "convex"), "dir");
  await writeFile(
    join(dir, "package.json"),
    `{"name":"bench-push-app","private":true,"type":"module","dependencies":{"convex":"1.48.0"}}`,
  );
  const tables = Array.from(
    { length: MODULES },
    (_, i) => `  t${pad(i)}: defineTable({ owner: v.string(), n: v.number() }).index("by_owner", ["owner"]),`,
  );
  await writeFile(
    join(dir, "convex", "schema.ts"),
    `import { defineSchema, defineTable } from "convex/server";\nimport { v } from "convex/values";\nexport default defineSchema({\n${tables.join("\n")}\n});\n`,
  );
  for (let i = 0; i < MODULES; i++) await writeFile(join(dir, "convex", `m${pad(i)}.ts`), moduleSource(i, 0));
  return dir;
}

function cli(dir: string, url: string, args: string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONVEX_SELF_HOSTED_URL: url,
    CONVEX_SELF_HOSTED_ADMIN_KEY: ADMIN_KEY,
    CI: "1",
  };
  delete env.CONVEX_DEPLOYMENT;
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(dir, "node_modules/convex/bin/main.js"), ...args],
      { cwd: dir, env },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${args.join(" ")} failed:\n${stdout}${stderr}`)) : resolve(performance.now() - t0),
    ),
  );
}

export default async function pushBench(): Promise<BenchRow[]> {
  const server = await startServer();
  try {
    const dir = await writeApp();
    const push = ["dev", "--once", "--typecheck", "disable"];
    const local = async () =>
      cli(dir, server.url, [...push, "--debug-bundle-path", await mkdtemp(join(tmpdir(), "tandem-bench-bundle-"))]);
    await local(); // warm-up: first codegen, OS file cache
    const localFirst = await local();
    const first = await cli(dir, server.url, push);
    const localAgain = await local();
    const unchanged = await cli(dir, server.url, push);
    await writeFile(join(dir, "convex", "m07.ts"), moduleSource(7, 1));
    const localChanged = await local();
    const changed = await cli(dir, server.url, push);
    const row = (name: string, value: number, ceiling: number): BenchRow => ({
      name,
      value,
      unit: "ms",
      lowerIsBetter: true,
      ceiling: { name: "same CLI, codegen + bundling only (--debug-bundle-path)", value: ceiling },
    });
    return [
      row(`push of a ${MODULES}-module app, first (all modules, ${MODULES} indexes created)`, first, localFirst),
      row(`push of the ${MODULES}-module app, nothing changed`, unchanged, localAgain),
      row(`push of the ${MODULES}-module app, one module changed`, changed, localChanged),
    ];
  } finally {
    server.child.kill();
  }
}

if (process.env.PUSH_BENCH_ROLE === "server") await serverRole();
