#!/usr/bin/env node
// Runs every `*.test.ts` under packages/*/test, examples/*/test and test/ with Node's test runner
// (TypeScript through tsx). `node scripts/run-tests.mjs storage` narrows to paths containing "storage".
import { readdirSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";

const root = new URL("..", import.meta.url).pathname;
const filter = process.argv.slice(2);
const walk = (dir) =>
  !existsSync(dir)
    ? []
    : readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) return n === "node_modules" || n === "dist" ? [] : walk(p);
        return n.endsWith(".test.ts") || n.endsWith(".test.tsx") ? [p] : [];
      });
const dirs = [
  ...readdirSync(join(root, "packages")).map((d) => join(root, "packages", d, "test")),
  ...(existsSync(join(root, "examples"))
    ? readdirSync(join(root, "examples")).map((d) => join(root, "examples", d, "test"))
    : []),
  join(root, "test"),
];
let tests = dirs
  .flatMap(walk)
  .map((f) => relative(root, f))
  .sort();
if (filter.length) tests = tests.filter((t) => filter.some((f) => t.includes(f)));
if (!tests.length) {
  console.error("no test files found");
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=300000", ...tests],
  { stdio: "inherit", cwd: root },
);
process.exit(res.status ?? 1);
