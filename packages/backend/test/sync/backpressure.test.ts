/** A client that stops reading is closed once its outbound queue passes the bound, and recovers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { anyApi } from "convex/server";
import { eventually, startHarness } from "./harness.js";
import { memoryApp } from "./memory-app.js";

const api = anyApi;
const SIZE = 256 * 1024;

test("a stalled raw client is disconnected with 1013 past maxOutboundBytes; others keep going", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine, { maxOutboundBytes: 512 * 1024 });
  try {
    const stalled = await h.raw();
    stalled.connect();
    stalled.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [{ type: "Add", queryId: 0, udfPath: "counters:big", args: [{ name: "bp", size: SIZE }] }],
    });
    await stalled.next((m) => m.type === "Transition");
    const healthy = h.client();
    const seen: number[] = [];
    healthy.onUpdate(api.counters!.get!, { name: "bp" }, (v: number) => seen.push(v));
    await eventually(() => seen.length > 0);

    (stalled.ws as unknown as { _socket: Socket })._socket.pause();
    for (let i = 1; i <= 200 && h.sync.stats().overloadCloses === 0; i++) {
      await engine.runMutation({ path: "counters:set", args: { name: "bp", value: i }, identity: { kind: "none" } });
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(h.sync.stats().overloadCloses, 1, "the stalled connection was closed");
    await eventually(() => h.sync.stats().connections === 1, 10_000, "server dropped the stalled socket");
    (stalled.ws as unknown as { _socket: Socket })._socket.resume();
    const closed = await stalled.waitClosed(10_000);
    assert.ok(closed.code === 1013 || closed.code === 1006, `close code ${closed.code}`);
    const last = await healthy.query(api.counters!.get!, { name: "bp" });
    await eventually(() => seen.at(-1) === last, 5000, "the healthy client is current");
  } finally {
    await h.close();
  }
});

test("the official client recovers from a backpressure close: it reconnects and re-subscribes", async () => {
  const engine = memoryApp();
  const h = await startHarness(engine, { maxOutboundBytes: 512 * 1024 });
  try {
    const client = h.client();
    let latest = "";
    client.onUpdate(api.counters!.big!, { name: "rc", size: SIZE }, (v: string) => (latest = v));
    await eventually(() => latest.length === SIZE);
    const first = h.sockets.at(-1)! as unknown as { _socket: Socket };
    first._socket.pause();
    let i = 0;
    while (h.sync.stats().overloadCloses === 0 && i < 200) {
      await engine.runMutation({ path: "counters:set", args: { name: "rc", value: ++i }, identity: { kind: "none" } });
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(h.sync.stats().overloadCloses, 1);
    first._socket.resume();
    await eventually(() => latest.startsWith(`${i}x`), 20_000, "client shows the latest value after reconnecting");
    assert.ok(h.sockets.length >= 2, "a new socket was opened");
    assert.equal(await client.mutation(api.counters!.inc!, { name: "rc" }), i + 1);
  } finally {
    await h.close();
  }
});
