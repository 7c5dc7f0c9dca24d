/**
 * Clients that stop reading cannot grow server memory without bound: six stalled sockets are each
 * offered ~100 MB of updates (400 Transitions of 256 KB); each is closed once its queue passes
 * `maxOutboundBytes`, the server's memory (heap + buffers, after GC) grows by no more than the
 * queues allowed, and a reading client alongside stays current.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { anyApi } from "convex/server";
import { eventually, startHarness } from "./harness.js";
import { memoryApp } from "./memory-app.js";

const api = anyApi;
const SIZE = 256 * 1024;
const MAX_OUTBOUND = 1024 * 1024;
const STALLED = 6;
const UPDATES = 400;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const memory = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

test("stalled readers are closed at their bound; server memory stays within the bounds", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine, { maxOutboundBytes: MAX_OUTBOUND });
  try {
    const stalled = [];
    for (let i = 0; i < STALLED; i++) {
      const r = await h.raw();
      r.connect();
      r.send({
        type: "ModifyQuerySet",
        baseVersion: 0,
        newVersion: 1,
        modifications: [{ type: "Add", queryId: 0, udfPath: "counters:big", args: [{ name: "m", size: SIZE }] }],
      });
      await r.next((m) => m.type === "Transition");
      stalled.push(r);
    }
    const healthy = h.client();
    let seen = -1;
    healthy.onUpdate(api.counters!.get!, { name: "m" }, (v: number) => (seen = v));
    await eventually(() => seen === 0);

    for (const r of stalled) (r.ws as unknown as { _socket: Socket })._socket.pause();
    const base = memory();
    let peak = 0;
    for (let i = 1; i <= UPDATES; i++) {
      await engine.runMutation({ path: "counters:set", args: { name: "m", value: i }, identity: { kind: "none" } });
      await new Promise((r) => setImmediate(r));
      if (i % 25 === 0) peak = Math.max(peak, memory() - base);
    }
    await eventually(() => seen === UPDATES, 10_000, "the reading client is current");
    assert.equal(h.sync.stats().overloadCloses, STALLED, "every stalled connection was closed");
    await eventually(() => h.sync.stats().connections === 1, 10_000, "only the reading client is left");
    const bound = STALLED * (MAX_OUTBOUND + SIZE) + 32 * 1024 * 1024;
    assert.ok(
      peak < bound,
      `memory grew by ${(peak / 2 ** 20).toFixed(1)} MiB; bound ${(bound / 2 ** 20).toFixed(1)} MiB (unbounded queues would hold ~${((STALLED * UPDATES * SIZE) / 2 ** 20).toFixed(0)} MiB)`,
    );
    console.log(
      `backpressure: ${STALLED} stalled readers offered ${((STALLED * UPDATES * SIZE) / 2 ** 20).toFixed(0)} MiB; peak growth ${(peak / 2 ** 20).toFixed(1)} MiB`,
    );
    for (const r of stalled) (r.ws as unknown as { _socket: Socket })._socket.resume();
  } finally {
    await h.close();
  }
});
