/**
 * Bundles a `convex/` folder the way the official CLI does (esbuild, ESM, browser platform,
 * `convex` condition, code splitting into `_deps/`), for engine tests that don't go through push.
 */
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ModuleSource } from "../../src/engine/deployment.js";

export async function bundleConvexDir(dir: string): Promise<ModuleSource[]> {
  const entries = walk(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.includes("_generated") && !f.endsWith(".d.ts"));
  const result = await build({
    entryPoints: entries,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "esnext",
    splitting: true,
    outdir: "/out",
    outbase: dir,
    write: false,
    conditions: ["convex", "module"],
    chunkNames: "_deps/[hash]",
    logLevel: "silent",
    nodePaths: [join(dir, "..", "..", "..", "..", "..", "..", "node_modules")],
  });
  return result.outputFiles.map((f) => ({
    path: relative("/out", f.path),
    source: f.text,
    environment: "isolate" as const,
  }));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
