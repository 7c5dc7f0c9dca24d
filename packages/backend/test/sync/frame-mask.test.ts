/** `releaseFrameMask` reaches into `ws`'s receiver: this fails if a `ws` upgrade moves what it drops. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { releaseFrameMask } from "../../src/sync/frame-mask.js";

type Receiver = { _mask?: Buffer; _buffers?: Buffer[] };

test("after a frame, the receiver holds neither a view of the chunk it came in nor a grown queue", async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const seen: Array<{ text: string; before: Receiver; after: Receiver; swapped: boolean }> = [];
  wss.on("connection", (ws) => {
    ws.on("message", (data) => {
      const receiver = (ws as unknown as { _receiver: Receiver })._receiver;
      const before = { _mask: receiver._mask, _buffers: receiver._buffers && [...receiver._buffers] };
      const queue = receiver._buffers;
      releaseFrameMask(ws);
      seen.push({ text: data.toString(), before, after: { ...receiver }, swapped: receiver._buffers !== queue });
      ws.send("ack"); // the client sends the next frame only now: one frame per read
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const acks: string[] = [];
  await new Promise((r) => client.once("open", r));
  const acked = () => new Promise<void>((r) => client.once("message", (d) => (acks.push(d.toString()), r())));
  for (const text of ["x".repeat(300), "second", "third"]) {
    const ack = acked();
    client.send(text);
    await ack;
  }
  client.terminate();
  wss.close();
  http.close();
  assert.deepEqual(
    seen.map((s) => s.text),
    ["x".repeat(300), "second", "third"],
    "frames after a release still arrive unmasked",
  );
  for (const { before, after, swapped } of seen) {
    // What is dropped: the 4-byte mask, a view into a larger buffer (the chunk read from the socket).
    assert.ok(Buffer.isBuffer(before._mask) && before._mask.length === 4, "ws keeps the frame's mask in `_mask`");
    assert.ok(before._mask.buffer.byteLength > 4, "the mask is a view into the chunk");
    assert.deepEqual(before._buffers, [], "ws keeps its (drained) queue of unread chunks in `_buffers`");
    assert.equal(after._mask, undefined);
    assert.ok(swapped, "the drained queue is swapped for a fresh one");
    assert.deepEqual(after._buffers, []);
  }
});
