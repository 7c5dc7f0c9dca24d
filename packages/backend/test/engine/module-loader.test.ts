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
