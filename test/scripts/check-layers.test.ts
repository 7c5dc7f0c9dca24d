/** The layer check run over small fixture trees: each rule fails with a message naming the culprit. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const script = new URL("../../scripts/check-layers.mjs", import.meta.url).pathname;
const ALL = [
  "@tandem/shared",
  "@tandem/storage",
  "@tandem/backend",
  "@tandem/identity",
  "@tandem/js",
  "@tandem/react",
  "@tandem/dashboard",
  "tandem",
];

type Pkg = { deps?: string[]; src?: string };

/** Writes one package per entry (the directory named after the package) and runs the check on it. */
function check(pkgs: Record<string, Pkg>): { ok: boolean; out: string } {
  const root = mkdtempSync(join(tmpdir(), "layers-"));
  try {
    for (const [name, p] of Object.entries(pkgs)) {
      const dir = join(root, "packages", name.replace(/\W/g, "_"));
      mkdirSync(join(dir, "src"), { recursive: true });
      const dependencies = Object.fromEntries((p.deps ?? []).map((d) => [d, "*"]));
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name, dependencies }));
      writeFileSync(join(dir, "src", "index.ts"), p.src ?? "export {};\n");
    }
    const r = spawnSync(process.execPath, [script, root], { encoding: "utf8" });
    return { ok: r.status === 0, out: r.stdout + r.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const everyPackage = (over: Record<string, Pkg> = {}): Record<string, Pkg> => ({
  ...Object.fromEntries(ALL.map((n) => [n, {}])),
  ...over,
});

test("a tree that follows the rules passes", () => {
  const r = check(
    everyPackage({ "@tandem/storage": { deps: ["@tandem/shared"], src: 'import { x } from "@tandem/shared";\n' } }),
  );
  assert.ok(r.ok, r.out);
});

test("a declared workspace dependency that no source file imports fails, naming both packages", () => {
  const r = check(
    everyPackage({
      "@tandem/identity": { deps: ["@tandem/shared", "@tandem/storage"], src: 'import "@tandem/shared/http";\n' },
    }),
  );
  assert.equal(r.ok, false);
  assert.match(
    r.out,
    /@tandem\/identity: declares @tandem\/storage in package.json but no file under src\/ imports it/,
  );
  assert.doesNotMatch(r.out, /declares @tandem\/shared/);
});

test("a layer-table entry with no package fails as stale", () => {
  const pkgs = everyPackage();
  delete pkgs["@tandem/react"];
  const r = check(pkgs);
  assert.equal(r.ok, false);
  assert.match(r.out, /@tandem\/react: in the layer table of scripts\/check-layers.mjs but no package has that name/);
});

test("upward and undeclared imports still fail", () => {
  const r = check(everyPackage({ "@tandem/storage": { src: 'import "@tandem/backend";\n' } }));
  assert.equal(r.ok, false);
  assert.match(r.out, /@tandem\/storage may not import @tandem\/backend/);
  assert.match(r.out, /@tandem\/storage imports @tandem\/backend but does not declare it/);
});
