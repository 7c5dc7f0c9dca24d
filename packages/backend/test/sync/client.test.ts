/** The official `ConvexClient` (Node, ws) against the sync server over the in-memory engine. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import { eventually, startHarness } from "./harness.js";
import { createGate, memoryApp } from "./memory-app.js";

const api = anyApi;

test("a subscriber sees another client's mutation", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const reader = h.client();
    const writer = h.client();
    const seen: number[] = [];
    reader.onUpdate(api.counters!.get!, { name: "a" }, (v: number) => seen.push(v));
    await eventually(() => seen.length > 0, 5000, "first value");
    assert.deepEqual(seen, [0]);
    assert.equal(await writer.mutation(api.counters!.inc!, { name: "a" }), 1);
    await eventually(() => seen.at(-1) === 1, 5000, "reader sees 1");
    assert.equal(await writer.mutation(api.counters!.set!, { name: "a", value: 42 }), 42);
    await eventually(() => seen.at(-1) === 42, 5000, "reader sees 42");
  } finally {
    await h.close();
  }
});

test("await mutation() resolves only once the client's own queries show its effect", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const client = h.client();
    let latest: number | undefined;
    const sub = client.onUpdate(api.counters!.get!, { name: "ryw" }, (v: number) => (latest = v));
    await eventually(() => latest === 0, 5000, "first value");
    for (let i = 1; i <= 20; i++) {
      const result = await client.mutation(api.counters!.inc!, { name: "ryw" });
      assert.equal(result, i);
      assert.equal(sub.getCurrentValue(), i, "local query result already reflects the mutation");
      assert.equal(latest, i, "the onUpdate callback already ran with the new value");
    }
  } finally {
    await h.close();
  }
});

test("two queries of one client always show one consistent snapshot (A + B constant)", async () => {
  const engine = memoryApp();
  await engine.write("counters", "A", 500);
  await engine.write("counters", "B", 500);
  const h = await startHarness(engine);
  try {
    const reader = h.client();
    const writer = h.client();
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
    await eventually(() => sums.length > 0, 5000, "both values");
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      writes.push(writer.mutation(api.counters!.transfer!, { a: i % 2 ? "A" : "B", b: i % 2 ? "B" : "A", amount: (i % 7) + 1 }));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(writes);
    const final = await writer.mutation(api.counters!.transfer!, { a: "A", b: "B", amount: 1000 });
    assert.equal(final, null);
    const finalA = await writer.query(api.counters!.get!, { name: "A" });
    await eventually(() => a!.getCurrentValue() === finalA, 5000, "reader catches up");
    assert.ok(sums.length > 1, `observed ${sums.length} snapshots`);
    assert.deepEqual([...new Set(sums)], [1000], "every observed snapshot has A + B = 1000");
  } finally {
    await h.close();
  }
});

test("a connection dropped in the middle of a mutation: after reconnect it ran exactly once", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const client = h.client();
    const values: number[] = [];
    client.onUpdate(api.counters!.get!, { name: "once" }, (v: number) => values.push(v));
    await eventually(() => values.length > 0, 5000, "first value");

    // 1. The socket dies while the mutation runs; the re-sent copy joins the running one.
    const gate = createGate();
    const pending = client.mutation(api.counters!.gated!, { name: "once" });
    await gate.entered;
    const before = h.sockets.length;
    h.sockets.at(-1)!.terminate();
    await eventually(() => h.sockets.length > before && h.sockets.at(-1)!.readyState === 1, 10_000, "reconnect");
    await new Promise((r) => setTimeout(r, 50)); // let the re-sent mutation arrive while the first still runs
    gate.release();
    assert.equal(await pending, 1);
    assert.equal(engine.commits.get("counters:gated"), 1);

    // 2. The socket dies, the mutation commits before the client is back; the re-send gets the
    //    result the engine recorded with the commit.
    const gate2 = createGate();
    const pending2 = client.mutation(api.counters!.gated!, { name: "once" });
    await gate2.entered;
    const before2 = h.sockets.length;
    h.sockets.at(-1)!.terminate();
    gate2.release();
    await eventually(() => engine.commits.get("counters:gated") === 2, 5000, "second commit");
    await eventually(() => h.sockets.length > before2, 10_000, "reconnect");
    assert.equal(await pending2, 2);
    await eventually(() => values.at(-1) === 2, 5000, "subscriber sees 2");
    assert.equal(engine.commits.get("counters:gated"), 2, "each mutation committed exactly once");
    assert.equal(await client.query(api.counters!.get!, { name: "once" }), 2);
  } finally {
    await h.close();
  }
});

test("failed mutations, ConvexError data, actions and failing queries", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const client = h.client();
    await assert.rejects(client.mutation(api.counters!.fail!, {}), (e: Error & { data?: unknown }) => {
      assert.match(e.message, /mutation says no/);
      assert.deepEqual(e.data, { reason: "test" });
      return true;
    });
    assert.equal(await client.action(api.counters!.viaAction!, { name: "act" }), 1);
    assert.equal(await client.query(api.counters!.get!, { name: "act" }), 1);
    await assert.rejects(client.query(api.counters!.fails!, {}), /nope/);
  } finally {
    await h.close();
  }
});

test("identical subscriptions share one execution across clients", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine);
  try {
    const clients = [h.client(), h.client(), h.client(), h.client()];
    const latest = new Map<number, number>();
    clients.forEach((c, i) => c.onUpdate(api.counters!.get!, { name: "shared" }, (v: number) => latest.set(i, v)));
    await eventually(() => latest.size === 4, 5000, "all subscribed");
    const runsBefore = engine.runs.get("counters:get") ?? 0;
    await clients[0]!.mutation(api.counters!.inc!, { name: "shared" });
    await eventually(() => [...latest.values()].every((v) => v === 1), 5000, "all see 1");
    assert.equal((engine.runs.get("counters:get") ?? 0) - runsBefore, 1, "one re-execution for four subscribers");
    assert.equal(h.sync.stats().subscriptions.executions, 1);
    assert.equal(h.sync.stats().queries, 4);
  } finally {
    await h.close();
  }
});

test("ConvexReactClient: watchQuery follows mutations made through it", async () => {
  const { ConvexReactClient } = await import("convex/react");
  const WebSocket = (await import("ws")).default;
  const engine = memoryApp();
  const h = await startHarness(engine);
  const client = new ConvexReactClient(h.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: false,
    unsavedChangesWarning: false,
  });
  try {
    const watch = client.watchQuery(api.counters!.get!, { name: "react" });
    const values: unknown[] = [];
    const stop = watch.onUpdate(() => values.push(watch.localQueryResult()));
    await eventually(() => values.includes(0), 5000, "initial value");
    assert.equal(await client.mutation(api.counters!.inc!, { name: "react" }), 1);
    assert.equal(watch.localQueryResult(), 1, "read-your-writes through the React client");
    stop();
  } finally {
    await client.close();
    await h.close();
  }
});
