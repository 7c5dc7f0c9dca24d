import { test } from "node:test";
import assert from "node:assert/strict";
import { ModuleGraph } from "../../src/runtime/module-loader.js";
import { Realm } from "../../src/runtime/realm.js";

test('"use node" modules may import Node built-ins; isolate modules may not import anything bare', () => {
  const graph = new ModuleGraph(new Realm("action"), [
    {
      path: "node.js",
      environment: "node",
      source: 'import { createHash } from "crypto"; export const h = createHash("sha256").update("x").digest("hex");',
    },
    { path: "iso.js", environment: "isolate", source: 'import fs from "fs"; export const x = fs;' },
    { path: "pkg.js", environment: "node", source: 'import OpenAI from "openai"; export const x = OpenAI;' },
    { path: "a.js", environment: "isolate", source: 'import { b } from "./dir/b.js"; export const a = b + 1;' },
    { path: "dir/b.js", environment: "isolate", source: "export const b = 41;" },
  ]);
  assert.equal(graph.require("node.js").h, "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
  assert.throws(() => graph.require("iso.js"), /only relative imports of pushed modules/);
  assert.throws(() => graph.require("pkg.js"), /not bundled and not among the external packages of this push/);
  assert.equal(graph.require("a.js").a, 42);
});

test("module code reads the realm's own globals, may shadow them, and sees the fixed clock", () => {
  const realm = new Realm("udf");
  const graph = new ModuleGraph(realm, [
    {
      path: "g.js",
      environment: "isolate",
      source: [
        // Top-level declarations named like the globals the wrapper binds are still allowed.
        "const Map = 'shadowed'; let JSON = { parse: () => 'own' };",
        "export const shadowed = [Map, JSON.parse('1')];",
        "export const realmObject = Object === globalThis.Object && [] instanceof Array;",
        "export const objectCtor = Object;",
        "export const now = () => Date.now();",
        "export const kinds = () => [typeof undefined, Number.isNaN(NaN), typeof Convex, Infinity > 1];",
      ].join("\n"),
    },
  ]);
  const m = graph.require("g.js") as Record<string, unknown>;
  assert.deepEqual([...(m.shadowed as unknown[])], ["shadowed", "own"]);
  assert.equal(m.realmObject, true);
  // The context's intrinsics, not the host's.
  assert.notEqual(m.objectCtor, Object);
  const logs = { lines: [] } as never;
  realm.enter({ handler: {} as never, logs, nowMs: 1234, seed: 1, env: {} });
  try {
    assert.equal((m.now as () => number)(), 1234);
    assert.deepEqual([...(m.kinds as () => unknown[])()], ["undefined", true, "object", true]);
  } finally {
    realm.leave();
  }
});
