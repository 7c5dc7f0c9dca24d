#!/usr/bin/env node
// What a new user does first, from a fresh clone of this repository's HEAD (issue 14):
//   git clone → npm ci → `npx tandem --help` → `npx tandem dev --dir <outside app> --once`,
// then `npm install <clone>/packages/cli` in that outside app and `npx tandem dev --once` there.
// Fails (exit 1) with the step that broke. Ports are ephemeral, so it can run beside other tests.
// Costs one full `npm ci` (cached packages are used when present: --prefer-offline).
// `--node <dir>` runs it all on another Node install (<dir>/bin/node first on PATH, native addons
// built against <dir>/include), and `--tests <filter>…` then runs those test files in the clone:
// scripts/check-node-lines.mjs uses both for Node 22 and 24.
import { spawnSync } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = new URL("..", import.meta.url).pathname;
const argv = process.argv.slice(2);
const nodeAt = argv.indexOf("--node");
const nodeDir = nodeAt >= 0 ? argv[nodeAt + 1] : undefined;
const testsAt = argv.indexOf("--tests");
const testFilters = testsAt >= 0 ? argv.slice(testsAt + 1).filter((a) => !a.startsWith("--")) : [];
const work = mkdtempSync(join(tmpdir(), "tandem-fresh-clone-"));
const clone = join(work, "tandem");
const app = join(work, "app");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const quiet = ["--no-audit", "--no-fund", "--prefer-offline"];
// No cloud deployment may be selected by the caller's environment.
const env = { ...process.env, CI: "1" };
delete env.CONVEX_DEPLOYMENT;
delete env.CONVEX_DEPLOY_KEY;
if (nodeDir) {
  env.PATH = `${join(nodeDir, "bin")}:${env.PATH}`;
  env.npm_config_nodedir = nodeDir;
}
const devPorts = [
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
];

function fail(message) {
  console.error(`fresh-clone check FAILED: ${message}\n(work folder kept: ${work})`);
  process.exit(1);
}

function run(step, cmd, args, cwd, { output = false } = {}) {
  console.log(`\n[fresh-clone] ${step}: ${cmd} ${args.join(" ")}  (in ${cwd})`);
  const res = spawnSync(cmd, args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: output ? ["ignore", "pipe", "pipe"] : "inherit",
  });
  if (output) process.stdout.write(res.stdout + res.stderr);
  if (res.error) fail(`${step}: ${res.error.message}`);
  if (res.status !== 0) fail(`${step} exited with ${res.status ?? res.signal}`);
  return output ? res.stdout : "";
}

function expectApp(step) {
  if (!existsSync(join(app, "convex", "_generated", "api.js")))
    fail(`${step}: the convex CLI did not push (no convex/_generated/api.js)`);
  const envLocal = readFileSync(join(app, ".env.local"), "utf8");
  if (!/^CONVEX_SELF_HOSTED_URL=http:\/\/127\.0\.0\.1:\d+$/m.test(envLocal))
    fail(`${step}: .env.local was not written`);
  rmSync(join(app, "convex", "_generated"), { recursive: true });
}

run("clone", "git", ["clone", "--quiet", repo, clone], work);
const version = run("node version", "node", ["--version"], clone, { output: true }).trim();
run("install", npm, ["ci", ...quiet], clone);

const bin = join(clone, "node_modules", ".bin", "tandem");
if (!existsSync(bin)) fail(`npm ci did not link ${bin}`);
try {
  accessSync(bin, constants.X_OK);
} catch {
  fail(`${bin} is not executable`);
}
const help = run("help", npx, ["--no-install", "tandem", "--help"], clone, { output: true });
if (!/Usage: tandem/.test(help) || !/\bdev\b/.test(help)) fail("`npx tandem --help` did not print the usage");

// An app outside the repository, depending on the clone's own `convex` package (no download).
cpSync(join(clone, "packages", "cli", "test", "fixtures", "app"), app, { recursive: true });
const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
pkg.dependencies = { convex: `file:${join(clone, "node_modules", "convex")}` };
writeFileSync(join(app, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
run("install the app", npm, ["install", ...quiet], app);

run("dev from the repository root", npx, ["--no-install", "tandem", "dev", "--dir", app, "--once", ...devPorts], clone);
expectApp("dev from the repository root");

run("install the CLI into the app", npm, ["install", ...quiet, join(clone, "packages", "cli")], app);
run("help in the app", npx, ["--no-install", "tandem", "--help"], app, { output: true });
run("dev in the app", npx, ["--no-install", "tandem", "dev", "--once", ...devPorts], app);
expectApp("dev in the app");

if (testFilters.length) run("tests", "node", ["scripts/run-tests.mjs", ...testFilters], clone);

rmSync(work, { recursive: true, force: true });
console.log(
  `\n[fresh-clone] ok on Node ${version}: npx tandem works after npm ci, from the repository root and from an outside app` +
    (testFilters.length ? `; tests passed: ${testFilters.join(" ")}` : ""),
);
