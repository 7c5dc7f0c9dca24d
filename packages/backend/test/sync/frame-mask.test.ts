/** `releaseFrameMask` reaches into `ws`'s receiver: this fails if a `ws` upgrade moves what it drops. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { releaseFrameMask } from "../../src/sync/frame-mask.js";

test("after a frame, the receiver holds no view of the chunk it came in; later frames still unmask", async () => {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const received: string[] = [];
  const masks: Array<Buffer | undefined> = [];
  const done = new Promise<void>((resolve) => {
    wss.on("connection", (ws) => {
      ws.on("message", (data) => {
        const receiver = (ws as unknown as { _receiver: { _mask?: Buffer } })._receiver;
        masks.push(receiver._mask);
        releaseFrameMask(ws);
        assert.equal(receiver._mask, undefined);
        received.push(data.toString());
        if (received.length === 2) resolve();
      });
    });
  });
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  await new Promise((r) => client.once("open", r));
  client.send("x".repeat(300));
  client.send("second");
  await done;
  assert.deepEqual(received, ["x".repeat(300), "second"]);
  // What is dropped: the 4-byte mask, a view into a larger buffer (the chunk read from the socket).
  for (const mask of masks) {
    assert.ok(Buffer.isBuffer(mask) && mask.length === 4, "ws keeps the frame's mask where it is released");
    assert.ok(mask.buffer.byteLength > 4, "the mask is a view into the chunk");
  }
  client.terminate();
  wss.close();
  http.close();
});
