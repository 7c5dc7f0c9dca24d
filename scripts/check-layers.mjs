#!/usr/bin/env node
// Fails when a package imports a workspace package it may not (docs/architecture.md#packages-and-layers),
// imports one it does not declare, declares one it never imports, when the layer table names a
// package that does not exist, or when the workspace graph has a cycle.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Which workspace packages each package may import. Lower layers only. */
const allowed = {
  "@tandem/shared": [],
  "@tandem/storage": ["@tandem/shared"],
  "@tandem/backend": ["@tandem/shared", "@tandem/storage"],
  "@tandem/identity": ["@tandem/shared", "@tandem/storage"],
  "@tandem/js": ["@tandem/shared"],
  "@tandem/react": ["@tandem/shared", "@tandem/js"],
  "@tandem/dashboard": ["@tandem/shared"],
  tandem: ["@tandem/shared", "@tandem/storage", "@tandem/backend", "@tandem/identity", "@tandem/dashboard"],
};

/** The repository root; a test passes another one (a fixture tree) as the first argument. */
const root = process.argv[2] ?? new URL("..", import.meta.url).pathname;
const problems = [];
const files = (dir) =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === "node_modules" || n === "dist" ? [] : files(p);
    return /\.(m?[jt]sx?)$/.test(n) ? [p] : [];
  });
const importRe = /(?:from\s*|import\s*\(\s*|import\s+|require\s*\(\s*)["']([^"']+)["']/g;

const graph = {};
const seen = new Set();
for (const dir of readdirSync(join(root, "packages"))) {
  const pkgPath = join(root, "packages", dir, "package.json");
  let pkg;
  try {
    pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  } catch {
    continue;
  }
  const name = pkg.name;
  if (!(name in allowed)) {
    problems.push(`${name}: not in the layer table of scripts/check-layers.mjs`);
    continue;
  }
  const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }));
  seen.add(name);
  graph[name] = new Set();
  let srcFiles = [];
  try {
    srcFiles = files(join(root, "packages", dir, "src"));
  } catch {}
  for (const f of srcFiles) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(importRe)) {
      const spec = m[1];
      const target = Object.keys(allowed).find((n) => spec === n || spec.startsWith(n + "/"));
      if (!target || target === name) {
        if (spec.startsWith("../../") && spec.includes("packages/"))
          problems.push(`${f}: imports another package by relative path (${spec})`);
        continue;
      }
      graph[name].add(target);
      if (!allowed[name].includes(target)) problems.push(`${f}: ${name} may not import ${target}`);
      if (!declared.has(target)) problems.push(`${f}: ${name} imports ${target} but does not declare it`);
    }
  }
  // A workspace dependency nobody imports is a stale edge: it hides the real layering.
  for (const dep of declared)
    if (dep in allowed && !graph[name].has(dep))
      problems.push(`${name}: declares ${dep} in package.json but no file under src/ imports it`);
}

for (const name of Object.keys(allowed))
  if (!seen.has(name))
    problems.push(`${name}: in the layer table of scripts/check-layers.mjs but no package has that name`);

// Cycle check over the actual import graph.
const state = {};
const visit = (n, path) => {
  if (state[n] === 2) return;
  if (state[n] === 1) return problems.push(`cycle: ${[...path, n].join(" -> ")}`);
  state[n] = 1;
  for (const m of graph[n] ?? []) visit(m, [...path, n]);
  state[n] = 2;
};
for (const n of Object.keys(graph)) visit(n, []);

if (problems.length) {
  console.error("Layer check failed:\n  " + problems.join("\n  "));
  process.exit(1);
}
console.log(`layers ok: ${Object.keys(graph).length} packages, no upward imports, no cycles`);
