/** The official clients against the sync server over the real engine (SQLite, bundled functions). */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import { eventually, startHarness, type Harness } from "./harness.js";
import { startRealEngine } from "./real-engine.js";

const api = anyApi;
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

test("real engine: a subscriber sees another client's mutation; read-your-writes", async () => {
  const reader = h.client();
  const writer = h.client();
  const seen: number[] = [];
  reader.onUpdate(api.counters!.get!, { name: "r1" }, (v: number) => seen.push(v));
  await eventually(() => seen.length > 0, 10_000, "first value");
  assert.equal(seen[0], 0);
  for (let i = 1; i <= 5; i++) {
    const sub = writer.onUpdate(api.counters!.get!, { name: "r1" }, () => {});
    assert.equal(await writer.mutation(api.counters!.inc!, { name: "r1" }), i);
    await eventually(() => sub.getCurrentValue() === i, 5000, "writer's own query shows the write");
    sub.unsubscribe();
  }
  await eventually(() => seen.at(-1) === 5, 5000, "reader sees 5");
});

test("real engine: A + B stays constant in every snapshot a client observes", async () => {
  const writer = h.client();
  await writer.mutation(api.counters!.transfer!, { a: "A", b: "B", amount: -500 }); // A = 500, B = -500 + ...
  const reader = h.client();
  const sums: number[] = [];
  let a: ReturnType<typeof reader.onUpdate> | undefined;
  let b: ReturnType<typeof reader.onUpdate> | undefined;
  const check = () => {
    const va = a?.getCurrentValue() as number | undefined;
    const vb = b?.getCurrentValue() as number | undefined;
    if (va !== undefined && vb !== undefined) sums.push(va + vb);
  };
  a = reader.onUpdate(api.counters!.get!, { name: "A" }, check);
  b = reader.onUpdate(api.counters!.get!, { name: "B" }, check);
  await eventually(() => sums.length > 0, 5000);
  await Promise.all(Array.from({ length: 60 }, (_, i) => writer.mutation(api.counters!.transfer!, { a: i % 2 ? "A" : "B", b: i % 2 ? "B" : "A", amount: i + 1 })));
  const finalA = await writer.query(api.counters!.get!, { name: "A" });
  await eventually(() => a!.getCurrentValue() === finalA, 5000, "reader catches up");
  assert.ok(sums.length > 1);
  assert.deepEqual([...new Set(sums)], [0]);
});

test("real engine: a dropped connection's re-sent mutation runs once", async () => {
  const client = h.client();
  const values: number[] = [];
  client.onUpdate(api.counters!.get!, { name: "drop" }, (v: number) => values.push(v));
  await eventually(() => values.length > 0, 5000);
  const before = h.sockets.length;
  const pending = client.mutation(api.counters!.inc!, { name: "drop" });
  h.sockets.at(-1)!.terminate(); // the Mutation frame may or may not have left; either way: once
  await eventually(() => h.sockets.length > before, 10_000, "reconnect");
  assert.equal(await pending, 1);
  await eventually(() => values.at(-1) === 1, 5000);
  assert.equal(await client.mutation(api.counters!.inc!, { name: "drop" }), 2, "the first ran exactly once");
});

test("real engine: a mutation that writes nothing still resolves on an idle deployment", async () => {
  const c = h.client();
  await c.mutation(api.counters!.inc!, { name: "noop" });
  const r = await Promise.race([c.mutation(api.counters!.peek!, { name: "noop" }), new Promise((res) => setTimeout(() => res("HUNG"), 3000))]);
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
