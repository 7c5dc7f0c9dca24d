/**
 * The official clients against the sync server over the real engine (SQLite, bundled functions):
 * the shared scenarios, plus deploys, idle commits and function threads.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import { eventually, startHarness, type Harness } from "./harness.js";
import { startRealEngine } from "./real-engine.js";
import { syncScenarios } from "./scenarios.js";

const api = anyApi;
syncScenarios("real engine", () => startRealEngine());
// As `tandem serve` runs: queries and mutations in function threads (shared re-runs settle later).
syncScenarios("function threads", () => startRealEngine({ workers: true }));

let real: Awaited<ReturnType<typeof startRealEngine>>;
let h: Harness;

before(async () => {
  real = await startRealEngine();
  h = await startHarness(real.engine);
});
after(async () => {
  await h.close();
  await real.close();
});

test("real engine: a mutation that writes nothing still resolves on an idle deployment", async () => {
  const c = h.client();
  await c.mutation(api.counters!.inc!, { name: "noop" });
  const r = await Promise.race([
    c.mutation(api.counters!.peek!, { name: "noop" }),
    new Promise((res) => setTimeout(() => res("HUNG"), 3000)),
  ]);
  assert.equal(r, 1);
});

test("real engine: a deploy re-runs live subscriptions with the new code", async () => {
  const c = h.client();
  const seen: unknown[] = [];
  c.onUpdate(api.counters!.get!, { name: "deploy" }, (v: unknown) => seen.push(v));
  await eventually(() => seen.length > 0, 5000, "first value");
  const current = real.engine.current()!;
  const modules = current.modules.map((m) =>
    m.path === "counters.js" ? { ...m, source: m.source.replace("doc?.value ?? 0", "(doc?.value ?? 0) + 100") } : m,
  );
  assert.notDeepEqual(modules, current.modules, "the fixture's source has the expression to patch");
  await real.engine.deploy({ version: "v2", modules, analysis: await real.engine.analyze(modules, {}) });
  await eventually(() => seen.at(-1) === 100, 5000, "the new code's result");
});

test("function threads: a promise left rejected by user code does not take down other requests", async () => {
  const threaded = await startRealEngine({ workers: true });
  const th = await startHarness(threaded.engine);
  try {
    const c = th.client();
    const others = Array.from({ length: 20 }, (_, i) => c.mutation(api.counters!.inc!, { name: `other-${i}` }));
    assert.equal(await c.mutation(api.counters!.leaky!, {}), "ok");
    assert.deepEqual(await Promise.all(others), Array(20).fill(1));
    assert.equal(await c.mutation(api.counters!.inc!, { name: "after-leak" }), 1);
    assert.equal(threaded.engine.workersReplaced, 0, "no thread was lost to the rejection");
  } finally {
    await th.close();
    await threaded.close();
  }
});
