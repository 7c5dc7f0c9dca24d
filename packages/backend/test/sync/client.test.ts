/**
 * The official `ConvexClient` (Node, ws) against the sync server over the in-memory engine: the
 * shared scenarios, plus what only the memory engine can stage (a mutation held mid-run).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { anyApi } from "convex/server";
import { eventually, startHarness } from "./harness.js";
import { createGate, memoryApp } from "./memory-app.js";
import { syncScenarios } from "./scenarios.js";

const api = anyApi;

syncScenarios("memory engine", async () => ({ engine: memoryApp(), close: async () => {} }));

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
    // The client re-sends the mutation on reconnect; a query subscribed now reaches the server after
    // it (frames are handled in order), so once its value arrives the re-send has joined the first.
    let probe: number | undefined;
    client.onUpdate(api.counters!.get!, { name: "probe" }, (v: number) => (probe = v));
    await eventually(() => probe !== undefined, 5000, "a query sent after the re-send answered");
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
